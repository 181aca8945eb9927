// lib/netlink: pure-TypeScript rtnetlink codec and client. May import: lib/codec, lib/sys, lib/util.
export { AttrMap, decodeAttrs, encodeAttrs, type Attr } from './attrs.js';
export { NetlinkErrno, NetlinkError, NetlinkProtocolError } from './errors.js';
export { encodeMessage, splitMessages, decodeError, type NlMsg } from './message.js';
export { NetlinkSocket, type NlRequest } from './socket.js';
export {
  createLinkRequest,
  decodeLink,
  decodeNewLinkRequest,
  fillNewLink,
  type Link,
  type LinkKindSpec,
  type NewLinkSpec,
} from './link.js';
export { readIfInfo, type DeviceAttrs } from './link-device.js';
export { formatMac, parseMac } from './mac.js';
export {
  decodeNetkitData,
  decodeNetkitRequest,
  type NetkitInfo,
  type NetkitMode,
  type NetkitOptions,
  type NetkitPolicy,
  type NetkitScrub,
} from './link-netkit.js';
export { decodeVethData } from './link-veth.js';
export { decodeVxlanData, type VxlanOptions } from './link-vxlan.js';
export { ifFlags, type LinkFlags } from './link-device.js';
export { type Addr } from './addr.js';
export { type Route, type RouteSpec } from './route.js';
export { decodeEncap, type RouteEncap } from './route-encap.js';
export { type Neigh } from './neigh.js';
export { type TcDirection, type TcFilter } from './tc.js';
export { bytesToIp, ipFamily, ipToBytes, parseCidr, type Cidr, type Family } from './ip.js';
export { Netlink } from './client.js';
