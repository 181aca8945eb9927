// Kernel dumps kept as one hex line per message: capture-*.ts write them, the codec tests read them back.
import { readFileSync } from 'node:fs';
import { decodeAttrs, encodeAttrs } from '../attrs.js';
import { encodeMessage, type NlMsg } from '../message.js';

export function toHexLines(msgs: NlMsg[]): string {
  const lines = msgs.map((m) => encodeMessage(m.type, m.flags, m.seq, (w) => w.bytes(m.body), m.pid).toString('hex'));
  return `${lines.join('\n')}\n`;
}

export function readHexLines(file: string): Buffer[] {
  return readFileSync(new URL(`./${file}`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((h) => Buffer.from(h, 'hex'));
}

/** The message rebuilt from its family header and decoded attributes: the same bytes mean the attribute codec lost nothing. */
export function reencode(m: NlMsg, headerLen: number): Buffer {
  const attrs = decodeAttrs(m.body, headerLen);
  return encodeMessage(
    m.type,
    m.flags,
    m.seq,
    (w) => {
      w.bytes(m.body.subarray(0, headerLen));
      encodeAttrs(w, attrs);
    },
    m.pid,
  );
}
