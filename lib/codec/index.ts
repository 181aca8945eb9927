// lib/codec: binary writer/reader shared by netlink and bpf. May import: nothing but node builtins.
export { Writer, CodecRangeError } from './writer.js';
export { Reader, DecodeError } from './reader.js';
export { u16le, u32le, s32le } from './bytes.js';
