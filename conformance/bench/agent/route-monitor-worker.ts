// Worker thread of route-monitor.ts: enters the node netns (setns affects this thread only), subscribes
// to the IPv4 and IPv6 route multicast groups and blocks in recv, so each notification is stamped the
// moment the kernel hands it over, without polling and without stealing the main thread (which serves
// the API). Posts protocol-201 main-table route events in batches; a stop flag in shared memory ends it.
import { parentPort, workerData } from 'node:worker_threads';
import { splitMessages } from '../../../lib/netlink/index.js';
import { decodeRoute } from '../../../lib/netlink/route.js';
import * as C from '../../../lib/sys/constants.js';
import { cstr, E, isErrno, nativeSys } from '../../../lib/sys/index.js';
import type { RouteEvent, WorkerData, WorkerMessage } from './route-monitor.js';

const RTM_NEWROUTE = 24;
const RTM_DELROUTE = 25;
const RTMGRP_IPV4_ROUTE = 0x40;
const RTMGRP_IPV6_ROUTE = 0x400;
const SO_RCVBUFFORCE = 33;
const MSG_DONTWAIT = 0x40;
const RT_TABLE_MAIN = 254;

const d = workerData as WorkerData;
const post = (m: WorkerMessage) => parentPort!.postMessage(m);
const stop = new Int32Array(d.stop);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

function open(): { sys: ReturnType<typeof nativeSys>; fd: number } {
  const sys = nativeSys(d.libDir);
  const ns = sys.open(cstr(d.netnsPath), C.O_RDONLY, 0);
  sys.setns(ns, C.CLONE_NEWNET);
  sys.close(ns);
  const fd = sys.socket(C.AF_NETLINK, C.SOCK_RAW, C.NETLINK_ROUTE);
  sys.setsockopt(fd, C.SOL_SOCKET, SO_RCVBUFFORCE, u32(d.rcvbufBytes));
  const tv = Buffer.alloc(16);
  tv.writeBigInt64LE(BigInt(d.pollMs * 1000), 8); // SO_RCVTIMEO: wake up now and then to see the stop flag
  sys.setsockopt(fd, C.SOL_SOCKET, C.SO_RCVTIMEO, tv);
  const sa = Buffer.alloc(12);
  sa.writeUInt16LE(C.AF_NETLINK, 0);
  sa.writeUInt32LE(RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE, 8);
  sys.bind(fd, sa);
  return { sys, fd };
}

function decode(buf: Buffer, t: number, out: RouteEvent[]): void {
  for (const m of splitMessages(buf)) {
    if (m.type !== RTM_NEWROUTE && m.type !== RTM_DELROUTE) continue;
    const r = decodeRoute(m);
    if (r.protocol !== d.protocol || r.table !== RT_TABLE_MAIN) continue;
    out.push({ op: m.type === RTM_NEWROUTE ? 'add' : 'del', dst: r.dst, gw: r.gw, t });
  }
}

function main(): void {
  let s: ReturnType<typeof open>;
  try {
    s = open();
  } catch (e) {
    post({ error: `route monitor in ${d.netnsPath}: ${(e as Error).message}` });
    return;
  }
  post({ ready: true });
  const buf = Buffer.alloc(1 << 16);
  let overflows = 0;
  while (!Atomics.load(stop, 0)) {
    const batch: RouteEvent[] = [];
    let flags = 0; // block for the first message, then drain what is queued without blocking
    for (;;) {
      let n: number;
      try {
        n = s.sys.recv(s.fd, buf, flags);
      } catch (e) {
        if (isErrno(e, E.ENOBUFS)) {
          overflows++;
          post({ overflows });
          continue;
        }
        if (isErrno(e, E.EAGAIN, E.EINTR)) break;
        post({ error: `route monitor recv: ${(e as Error).message}` });
        return;
      }
      decode(buf.subarray(0, Math.min(n, buf.length)), nowMs(), batch);
      flags = MSG_DONTWAIT;
      if (batch.length >= 2000) break;
    }
    if (batch.length) post({ events: batch });
  }
  s.sys.close(s.fd);
}

main();
