// Typed rtnetlink client over one NetlinkSocket. `create*` fails if the object exists, `ensure*`/`set*`
// are idempotent, `delete*` treats "not found" as success (returns false).
import { E, isErrno, type Sys } from '../sys/index.js';
import { addAddrRequest, decodeAddr, dumpAddrsRequest, type Addr } from './addr.js';
import { RTM_NEWLINK } from './constants.js';
import { NetlinkError } from './errors.js';
import {
  createLinkRequest,
  decodeLink,
  deleteLinkRequest,
  dumpLinksRequest,
  getLinkRequest,
  setLinkRequest,
  type Link,
  type NewLinkSpec,
} from './link.js';
import type { DeviceAttrs, LinkFlags } from './link-device.js';
import { decodeNeigh, dumpNeighRequest, setNeighRequest, type Neigh } from './neigh.js';
import {
  addRouteRequest,
  decodeRoute,
  deleteRouteRequest,
  dumpRoutesRequest,
  getRouteRequest,
  replaceRouteRequest,
  type Route,
  type RouteSpec,
} from './route.js';
import { NetlinkSocket, type NlRequest } from './socket.js';
import {
  decodeFilter,
  deleteBpfFilterRequest,
  deleteClsactRequest,
  dumpFiltersRequest,
  ensureClsactRequest,
  replaceBpfFilterRequest,
  type TcDirection,
  type TcFilter,
} from './tc.js';

function notFound(e: unknown, ...codes: number[]): boolean {
  return (e instanceof NetlinkError || isErrno(e)) && codes.includes((e as { errno: number }).errno);
}

/** The kernel's answers that mean "no such object": a value (undefined, or false for a delete) to the caller. */
const NO_DEVICE = [E.ENODEV];
const NO_ROUTE = [E.ENETUNREACH, E.EHOSTUNREACH, E.ESRCH, E.EINVAL];
const NO_TC_OBJECT = [E.ENOENT, E.ENODEV, E.EINVAL];

/** Runs a request; a "not found" errno from the kernel becomes `absent` instead of an error. */
function orAbsent<T>(absent: T, codes: number[], fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (notFound(e, ...codes)) return absent;
    throw e;
  }
}

export class Netlink {
  constructor(readonly sock: NetlinkSocket) {}

  /** A client on a new socket in the calling thread's current netns. */
  static open(sys: Sys): Netlink {
    return new Netlink(NetlinkSocket.open(sys));
  }

  close(): void {
    this.sock.close();
  }

  do(req: NlRequest): void {
    this.sock.request(req);
  }

  links(): Link[] {
    return this.sock
      .dump(dumpLinksRequest())
      .filter((m) => m.type === RTM_NEWLINK)
      .map(decodeLink);
  }

  linkByName(name: string): Link | undefined {
    const m = this.sock.queryOrAbsent(getLinkRequest({ name }), NO_DEVICE);
    return m && decodeLink(m);
  }

  linkByIndex(index: number): Link | undefined {
    const m = this.sock.queryOrAbsent(getLinkRequest({ index }), NO_DEVICE);
    return m && decodeLink(m);
  }

  createLink(spec: NewLinkSpec): void {
    this.sock.request(createLinkRequest(spec));
  }

  /** Returns false when the link was already gone. */
  deleteLink(index: number, name?: string): boolean {
    return orAbsent(false, NO_DEVICE, () => {
      this.sock.request(deleteLinkRequest(index, name));
      return true;
    });
  }

  setLink(index: number, name: string, set: DeviceAttrs & LinkFlags): void {
    this.sock.request(setLinkRequest(index, name, set));
  }

  addAddr(index: number, cidr: string, opts: { nodad?: boolean; ifname?: string } = {}): void {
    this.sock.request(addAddrRequest(index, cidr, opts));
  }

  addrs(family: 0 | 4 | 6 = 0): Addr[] {
    return this.sock.dump(dumpAddrsRequest(family)).map(decodeAddr);
  }

  addRoute(s: RouteSpec, dev?: string): void {
    this.sock.request(addRouteRequest(s, dev));
  }

  replaceRoute(s: RouteSpec, dev?: string): void {
    this.sock.request(replaceRouteRequest(s, dev));
  }

  deleteRoute(s: RouteSpec, dev?: string): boolean {
    return orAbsent(false, [E.ESRCH, E.ENOENT, E.ENODEV], () => {
      this.sock.request(deleteRouteRequest(s, dev));
      return true;
    });
  }

  /** The route the kernel would use for `dst`; undefined when unreachable. */
  routeTo(dst: string): Route | undefined {
    const m = this.sock.queryOrAbsent(getRouteRequest(dst), NO_ROUTE);
    return m && decodeRoute(m);
  }

  routes(family: 4 | 6): Route[] {
    return this.sock.dump(dumpRoutesRequest(family)).map(decodeRoute);
  }

  setNeigh(index: number, ip: string, mac: Buffer, dev?: string): void {
    this.sock.request(setNeighRequest(index, ip, mac, dev));
  }

  neighs(family: 4 | 6): Neigh[] {
    return this.sock.dump(dumpNeighRequest(family)).map(decodeNeigh);
  }

  ensureClsact(ifindex: number, dev?: string): void {
    this.sock.request(ensureClsactRequest(ifindex, dev));
  }

  deleteClsact(ifindex: number, dev?: string): boolean {
    return orAbsent(false, NO_TC_OBJECT, () => {
      this.sock.request(deleteClsactRequest(ifindex, dev));
      return true;
    });
  }

  replaceBpfFilter(ifindex: number, dir: TcDirection, progFd: number, name: string, prio = 1): void {
    this.sock.request(replaceBpfFilterRequest(ifindex, dir, progFd, name, prio));
  }

  deleteBpfFilter(ifindex: number, dir: TcDirection, prio = 1): boolean {
    return orAbsent(false, NO_TC_OBJECT, () => {
      this.sock.request(deleteBpfFilterRequest(ifindex, dir, prio));
      return true;
    });
  }

  filters(ifindex: number, dir: TcDirection): TcFilter[] {
    return this.sock
      .dump(dumpFiltersRequest(ifindex, dir))
      .map(decodeFilter)
      .filter((f) => f.kind !== undefined);
  }
}
