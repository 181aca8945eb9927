// veth IFLA_INFO_DATA: VETH_INFO_PEER = ifinfomsg + the peer's IFLA_* attributes (drivers/net/veth.c).
import type { Writer } from '../codec/index.js';
import { AttrMap, putNest } from './attrs.js';
import { VETH_INFO_PEER } from './constants.js';
import { putDeviceAttrs, putIfInfo, readDeviceAttrs, type DeviceAttrs } from './link-device.js';

export function encodeVethData(w: Writer, peer: DeviceAttrs): void {
  putNest(w, VETH_INFO_PEER, (w) => {
    putIfInfo(w);
    putDeviceAttrs(w, peer, true);
  });
}

/** Decodes VETH_INFO_PEER from a create request (the kernel never dumps it). */
export function decodeVethData(data: AttrMap): DeviceAttrs | undefined {
  const p = data.raw(VETH_INFO_PEER);
  return p ? readDeviceAttrs(AttrMap.of(p, 16)) : undefined;
}
