// nlmsghdr framing: build a request, split a receive buffer into messages, decode NLMSG_ERROR (+ extack).
import { Reader, u32le, Writer } from '../codec/index.js';
import { AttrMap } from './attrs.js';
import { NLMSG_ERROR, NLMSG_HDRLEN, NLMSGERR_ATTR_MSG, NLM_F_ACK_TLVS, NLM_F_CAPPED } from './constants.js';
import { NetlinkProtocolError } from './errors.js';

export interface NlMsg {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** Payload after the 16-byte header. */
  body: Buffer;
}

/** Encode a message; `fill` writes the family header and attributes. */
export function encodeMessage(type: number, flags: number, seq: number, fill: (w: Writer) => void, pid = 0): Buffer {
  const w = new Writer(256);
  const at = w.reserve(4);
  w.u16(type).u16(flags).u32(seq).u32(pid);
  fill(w);
  w.patchU32(at, w.length);
  return w.finish();
}

export function splitMessages(buf: Buffer): NlMsg[] {
  const out: NlMsg[] = [];
  let off = 0;
  while (off + NLMSG_HDRLEN <= buf.length) {
    const r = new Reader(buf, off);
    const len = r.u32();
    const type = r.u16();
    const flags = r.u16();
    const seq = r.u32();
    const pid = r.u32();
    if (len < NLMSG_HDRLEN || off + len > buf.length) throw new NetlinkProtocolError(`bad nlmsg length ${len} at ${off}`);
    out.push({ type, flags, seq, pid, body: buf.subarray(off + NLMSG_HDRLEN, off + len) });
    off += (len + 3) & ~3;
  }
  return out;
}

export interface NlErr {
  /** 0 for an ACK, else a positive errno. */
  errno: number;
  extack?: string;
}

/** struct nlmsgerr {int error; struct nlmsghdr msg; payload...} then TLVs when NLM_F_ACK_TLVS. */
export function decodeError(m: NlMsg): NlErr {
  if (m.type !== NLMSG_ERROR) throw new NetlinkProtocolError(`not an error message: type ${m.type}`);
  const r = new Reader(m.body);
  const err = -r.s32();
  if (!(m.flags & NLM_F_ACK_TLVS)) return { errno: err };
  const origLen = u32le(m.body, 4);
  const tlvStart = 4 + (m.flags & NLM_F_CAPPED ? NLMSG_HDRLEN : origLen);
  if (tlvStart > m.body.length) return { errno: err };
  const attrs = AttrMap.of(m.body, tlvStart);
  return { errno: err, extack: attrs.str(NLMSGERR_ATTR_MSG) };
}
