// The payload's V8 code cache in the release executable (build.mjs): appended after pkg's image and read
// back by cmd/cache-tail.ts only when the node has no cache of its own. Anywhere in the entry's source,
// even as a comment, its 460 kB of base64 were decoded and scanned at every start (docs/architecture.md#start-up).
// The file ends with the cache, then a trailer: the magic, then the cache's length as u32 LE.

export const TAIL_MAGIC = 'PLCACHE1';

/** The bytes appended to the executable, and the layout the entry is built with to check them. */
export function cacheTail(cache) {
  const trailer = Buffer.alloc(TAIL_MAGIC.length + 4);
  trailer.write(TAIL_MAGIC, 0, 'latin1');
  trailer.writeUInt32LE(cache.length, TAIL_MAGIC.length);
  return { bytes: Buffer.concat([cache, trailer]), layout: { magic: TAIL_MAGIC, bytes: cache.length } };
}
