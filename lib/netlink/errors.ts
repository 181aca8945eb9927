// NetlinkError: a kernel NLMSG_ERROR reply, with the extended-ACK text when the kernel gave one.
import { LayerErrno, errnoName } from '../sys/index.js';

export class NetlinkError extends Error {
  readonly errno: number;
  readonly code: string;
  readonly extack?: string;
  /** The operation that failed, in words ("create veth pl3f2a…"). */
  step?: string;
  hint?: string;
  constructor(errno: number, extack: string | undefined, op: string) {
    const code = errnoName(errno);
    super(`${op}: ${code}${extack ? ` (${extack})` : ''}`);
    this.name = 'NetlinkError';
    this.errno = errno;
    this.code = code;
    this.extack = extack;
    this.step = op;
  }
}

export class NetlinkProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetlinkError';
  }
}

/** A syscall on the netlink socket failed (socket, bind, setsockopt, sendto, recv): CNI code 102, like NetlinkError. */
export class NetlinkErrno extends LayerErrno {
  override name = 'NetlinkErrno';
}
