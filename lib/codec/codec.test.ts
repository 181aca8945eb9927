import t from 'tap';
import { Writer, Reader, CodecRangeError, DecodeError, putU64le, u64le } from './index.js';

t.test('writer encodes little-endian and back-patches lengths', async (t) => {
  const w = new Writer(4);
  const at = w.reserve(2);
  w.u16(0x0102).u32(0xdeadbeef).u8(7).align(4).u64(1n);
  w.patchU16(at, w.length);
  t.same([...w.finish()], [20, 0, 2, 1, 0xef, 0xbe, 0xad, 0xde, 7, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
  t.equal(w.finish().length, 20);
});

t.test('writer padding and reserved fields are zero, also across growth; only written bytes can be patched', async (t) => {
  const w = new Writer(4);
  w.bytes(Buffer.alloc(3, 0xff)).align(8).reserve(4);
  w.bytes(Buffer.alloc(5, 0xee)).zeros(9).u8(1);
  t.same([...w.finish()], [0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...Array(5).fill(0xee), ...Array(9).fill(0), 1]);
  t.throws(() => w.patchU32(w.length - 2, 1), { name: 'CodecRangeError' }, 'a patch past what was written');
  t.throws(() => w.patchU16(-1, 1), { name: 'CodecRangeError' });
  w.patchU16(0, 0x0201);
  t.same([...w.finish().subarray(0, 4)], [1, 2, 0xff, 0]);
});

t.test('integers round-trip at their extremes, in both byte orders', async (t) => {
  const w = new Writer(2);
  w.u8(0xff).u16(0xfffe).u16be(0x0102).u32(0xfffffffd).u32(0).s32(-2).s32(0x7fffffff).s32(-0x80000000);
  const b = w.finish();
  t.same([...b.subarray(0, 5)], [0xff, 0xfe, 0xff, 0x01, 0x02]);
  t.equal(b.readUInt32LE(5), 0xfffffffd, 'the same bytes as Buffer writes');
  t.equal(b.readInt32LE(13), -2);
  const r = new Reader(b);
  t.same(
    [r.u8(), r.u16(), r.u16be(), r.u32(), r.u32(), r.s32(), r.s32(), r.s32()],
    [0xff, 0xfffe, 0x0102, 0xfffffffd, 0, -2, 0x7fffffff, -0x80000000],
  );
  t.throws(() => r.u8(), { name: 'DecodeError' });
});

t.test('writer rejects out-of-range integers', async (t) => {
  const w = new Writer();
  t.throws(() => w.u8(256), { name: 'CodecRangeError' });
  t.throws(() => w.u16(-1), { name: 'CodecRangeError' });
  t.throws(() => w.u32(2 ** 32), { name: 'CodecRangeError' });
  t.throws(() => w.s32(2 ** 31), { name: 'CodecRangeError' });
  t.throws(() => w.u32(1.5), { name: 'CodecRangeError' });
  t.throws(() => w.u64(-1n), { name: 'CodecRangeError' });
});

t.test('reader is bounds-checked and aligns within its window', async (t) => {
  const buf = Buffer.from([1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 9]);
  const r = new Reader(buf);
  t.equal(r.u32(), 1);
  t.equal(r.s32(), -1);
  t.equal(r.u8(), 9);
  r.align(4);
  t.equal(r.remaining, 0);
  t.throws(() => r.u8(), DecodeError);
  t.throws(() => new Reader(buf, 4, 100), DecodeError);
  const w = new Reader(buf, 0, 2);
  t.throws(() => w.u32(), /truncated u32/);
});

t.test('u64 round-trips every byte, as Buffer lays it out', async (t) => {
  for (const v of [0n, 1n, 0xffffffffn, 0x100000000n, 0x0102030405060708n, 0x8000000000000000n, 0xffffffffffffffffn]) {
    const ours = Buffer.alloc(10);
    putU64le(ours, 1, v);
    const node = Buffer.alloc(10);
    node.writeBigUInt64LE(v, 1);
    t.same(ours, node, `put ${v.toString(16)}`);
    t.equal(u64le(node, 1), v, `get ${v.toString(16)}`);
    t.equal(new Reader(node, 1).u64(), v);
    t.same(new Writer(8).u64(v).finish(), node.subarray(1, 9));
  }
});

t.test('writer u32be: big-endian, range-checked', async (t) => {
  t.same([...new Writer(2).u32be(0x01020304).u32be(0xffffffff).finish()], [1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff]);
  t.throws(() => new Writer().u32be(2 ** 32), { name: 'CodecRangeError' });
});
