// A NETLINK_ROUTE socket: one request at a time, sequence-checked, ACKs and multipart dumps,
// extended ACK text, and dump retry on NLM_F_DUMP_INTR. Synchronous (recv blocks), like the kernel
// round trip it wraps; a receive timeout guards against a lost reply.
import * as C from '../sys/constants.js';
import { layerSys, type Sys } from '../sys/index.js';
import { putU16le, putU32le, Writer } from '../codec/index.js';
import { NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_MULTI, NLM_F_REQUEST } from './constants.js';
import { NetlinkErrno, NetlinkError, NetlinkProtocolError } from './errors.js';
import { decodeError, encodeMessage, splitMessages, type NlMsg } from './message.js';

const RECV_BUF = 64 * 1024;
const DUMP_RETRIES = 10;
const NONE: readonly number[] = [];

export interface NlRequest {
  type: number;
  /** Extra flags beyond REQUEST (and ACK, which request() always adds). */
  flags?: number;
  /** Writes the family header and attributes. */
  fill: (w: Writer) => void;
  /** Words for errors and --dry-run: "create veth pl3f2a… with peer eth0". */
  what: string;
}

export class NetlinkSocket {
  private seq = Math.floor(Math.random() * 0x7fffffff);
  private buf = Buffer.alloc(RECV_BUF);
  private closed = false;

  private constructor(
    private readonly sys: Sys,
    readonly fd: number,
  ) {}

  /** Opens a socket in the calling thread's current netns. Its syscalls fail as NetlinkErrno. */
  static open(anySys: Sys): NetlinkSocket {
    const sys = layerSys(anySys, NetlinkErrno);
    const fd = sys.socket(C.AF_NETLINK, C.SOCK_RAW, C.NETLINK_ROUTE);
    try {
      const one = Buffer.alloc(4);
      putU32le(one, 0, 1);
      sys.setsockopt(fd, C.SOL_NETLINK, C.NETLINK_EXT_ACK, one);
      sys.setsockopt(fd, C.SOL_NETLINK, C.NETLINK_CAP_ACK, one);
      const tv = Buffer.alloc(16);
      putU32le(tv, 0, 10); // tv_sec 10 (an s64, high word 0): 10 s: the kernel answers in microseconds; this only catches a lost reply
      sys.setsockopt(fd, C.SOL_SOCKET, C.SO_RCVTIMEO, tv);
      const sa = Buffer.alloc(12);
      putU16le(sa, 0, C.AF_NETLINK);
      sys.bind(fd, sa);
    } catch (e) {
      sys.close(fd);
      throw e;
    }
    return new NetlinkSocket(sys, fd);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sys.close(this.fd);
  }

  private send(req: NlRequest, flags: number): number {
    const seq = (this.seq = (this.seq + 1) & 0x7fffffff);
    const msg = encodeMessage(req.type, NLM_F_REQUEST | flags | (req.flags ?? 0), seq, req.fill);
    this.sys.sendto(this.fd, msg, Buffer.alloc(0));
    return seq;
  }

  /**
   * One datagram, read straight into a buffer larger than any rtnetlink reply: the kernel fills a dump's
   * datagrams up to 32 KiB (netlink_dump) and a single reply is one message. MSG_TRUNC makes recv return
   * the datagram's full length, so a larger one (which the kernel would have cut) fails loudly instead of
   * being parsed in part. No MSG_PEEK first: that doubled the recv calls of every request
   * (docs/kernel.md#sockets-and-namespaces).
   */
  private recvBatch(): NlMsg[] {
    const got = this.sys.recv(this.fd, this.buf, 0); // the addon adds MSG_TRUNC
    if (got > this.buf.length) {
      throw new NetlinkProtocolError(`netlink reply of ${got} bytes exceeds the ${this.buf.length}-byte receive buffer`);
    }
    return splitMessages(Buffer.from(this.buf.subarray(0, got)));
  }

  /** Sends a request and waits for its ACK. Replies other than the ACK (e.g. NLM_F_ECHO) are returned. */
  request(req: NlRequest): NlMsg[] {
    const seq = this.send(req, NLM_F_ACK);
    const replies: NlMsg[] = [];
    for (;;) {
      for (const m of this.recvBatch()) {
        if (m.seq !== seq) continue; // a stale reply from an earlier, abandoned request
        if (m.type === NLMSG_ERROR) {
          const e = decodeError(m);
          if (e.errno !== 0) throw new NetlinkError(e.errno, e.extack, req.what);
          return replies;
        }
        if (m.type !== NLMSG_NOOP) replies.push(m);
      }
    }
  }

  /**
   * A request answered by exactly one message (a GET of one object): no NLM_F_ACK, whose extra ACK
   * datagram would cost a second recv. An error still comes back as NLMSG_ERROR and is thrown.
   */
  query(req: NlRequest): NlMsg {
    return this.queryOrAbsent(req, NONE)!;
  }

  /**
   * query, but a kernel answer of one of the `absent` errnos (the object does not exist) is undefined: an
   * expected outcome, so no error object is made for it (building one, with its stack, is most of the cost
   * of such a reply).
   */
  queryOrAbsent(req: NlRequest, absent: readonly number[]): NlMsg | undefined {
    const seq = this.send(req, 0);
    for (;;) {
      for (const m of this.recvBatch()) {
        if (m.seq !== seq) continue; // a stale reply from an earlier, abandoned request
        if (m.type !== NLMSG_ERROR) return m;
        const e = decodeError(m);
        if (absent.includes(e.errno)) return undefined;
        throw e.errno !== 0
          ? new NetlinkError(e.errno, e.extack, req.what)
          : new NetlinkProtocolError(`${req.what}: an ACK instead of the reply`);
      }
    }
  }

  /** A dump: all messages until NLMSG_DONE. Restarts when the kernel flags the dump as interrupted. */
  dump(req: NlRequest): NlMsg[] {
    for (let attempt = 0; attempt < DUMP_RETRIES; attempt++) {
      const seq = this.send(req, NLM_F_DUMP);
      const out: NlMsg[] = [];
      let interrupted = false;
      let done = false;
      while (!done) {
        for (const m of this.recvBatch()) {
          if (m.seq !== seq) continue;
          if (m.flags & NLM_F_DUMP_INTR) interrupted = true;
          if (m.type === NLMSG_DONE) {
            done = true;
            break;
          }
          if (m.type === NLMSG_ERROR) {
            const e = decodeError(m);
            if (e.errno !== 0) throw new NetlinkError(e.errno, e.extack, req.what);
            done = true;
            break;
          }
          if (m.type !== NLMSG_NOOP) out.push(m);
          if (!(m.flags & NLM_F_MULTI)) done = true;
        }
      }
      if (!interrupted) return out;
    }
    throw new NetlinkProtocolError(`${req.what}: dump interrupted ${DUMP_RETRIES} times (NLM_F_DUMP_INTR)`);
  }
}
