// lib/codec: binary writer/reader shared by netlink and bpf; CBOR for podlink's files. May import: nothing but node builtins.
export { Writer, CodecRangeError } from './writer.js';
export { Reader, DecodeError } from './reader.js';
export { u16le, u16be, u32le, s32le, u64le, putU16le, putU16be, putU32le, putU64le } from './bytes.js';
export { encodeCbor, decodeCbor, CBOR_MAX_DEPTH, type CborValue } from './cbor.js';
