import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t, { type Test } from 'tap';
import { cacheTail } from '../release/cache-tail.mjs';
import { readCacheTail } from './cache-tail.js';

const image = Buffer.from('\x7fELF stands in for the executable image '.repeat(50));
const cache = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff));

function executable(t: Test, bytes: Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-tail-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'podlink');
  fs.writeFileSync(file, bytes);
  return file;
}

t.test('the cache appended after the image reads back byte for byte', async (t) => {
  const tail = cacheTail(cache);
  t.same(tail.layout.bytes, cache.length);
  const got = readCacheTail(tail.layout, executable(t, Buffer.concat([image, tail.bytes])));
  t.ok(got?.equals(cache));
});

t.test('anything but this build’s trailer reads as no cache (V8 then compiles from source)', async (t) => {
  const tail = cacheTail(cache);
  const file = executable(t, Buffer.concat([image, tail.bytes]));
  t.equal(readCacheTail({ ...tail.layout, bytes: cache.length + 1 }, file), undefined, 'another length');
  t.equal(readCacheTail({ ...tail.layout, magic: 'PLCACHE9' }, file), undefined, 'another magic');
  t.equal(readCacheTail(tail.layout, executable(t, image)), undefined, 'no tail (plain node)');
  t.equal(readCacheTail(tail.layout, executable(t, tail.bytes.subarray(10))), undefined, 'shorter than the cache');
  t.equal(readCacheTail(tail.layout, path.join(os.tmpdir(), 'pl-tail-absent', 'podlink')), undefined, 'no file');
  t.equal(
    readCacheTail({ magic: tail.layout.magic, bytes: 0 }, executable(t, Buffer.concat([image, cacheTail(Buffer.alloc(0)).bytes]))),
    undefined,
    'an empty cache (arm64)',
  );
});
