// lib/codec: binary writer/reader shared by netlink and bpf. May import: nothing but node builtins.
export { Writer, CodecRangeError } from './writer.js';
export { Reader, DecodeError } from './reader.js';
