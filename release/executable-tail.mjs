// Bytes the release executable carries after pkg's image (build.mjs), read back by
// lib/util/executable-tail.ts: sections that only some calls need and that no call should scan as source.
// From the end of the file backwards: the magic, the number of sections (u32 LE), each section's length
// (u32 LE, in order), then the sections themselves, in order.

export const TAIL_MAGIC = 'PLTAIL01';

/** The bytes to append: `sections` in order, then the trailer. */
export function executableTail(sections) {
  const lengths = Buffer.alloc(4 * sections.length + 4);
  sections.forEach((s, i) => lengths.writeUInt32LE(s.length, 4 * i));
  lengths.writeUInt32LE(sections.length, 4 * sections.length);
  return Buffer.concat([...sections, lengths, Buffer.from(TAIL_MAGIC, 'latin1')]);
}

/** What a reader is built with to find section `index` and check it is the one it expects. */
export function tailSection(index, bytes) {
  return { magic: TAIL_MAGIC, index, length: bytes.length };
}
