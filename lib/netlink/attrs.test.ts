// AttrMap reads attributes in place (offsets into the reply): the same answers as decoding each one,
// at any offset of a larger buffer, with the kernel's padding and flag bits.
import t from 'tap';
import { DecodeError, Writer } from '../codec/index.js';
import { AttrMap, decodeAttrs, putAttr, putNest, putString, putStringNoNul, putU16, putU32 } from './attrs.js';

/** A 16-byte stand-in for a message header, then the attributes `fill` writes, then `tail`. */
function message(fill: (w: Writer) => void, tail: number[] = []): Buffer {
  const w = new Writer();
  w.zeros(16);
  fill(w);
  w.bytes(Uint8Array.from(tail));
  return w.finish();
}

t.test('integers, strings and raw payloads are read at their offsets', async (t) => {
  const buf = message((w) => {
    putU32(w, 4, 0xfffffffe);
    putU16(w, 5, 0x1234);
    putAttr(w, 6, Uint8Array.from([7]));
    putString(w, 3, 'eth0');
    putStringNoNul(w, 9, 'veth');
    putAttr(w, 10, Uint8Array.from([1, 2, 3, 4, 5]));
  });
  const a = AttrMap.of(buf, 16);
  t.equal(a.u32(4), 0xfffffffe);
  t.equal(a.s32(4), -2);
  t.equal(a.u16(5), 0x1234);
  t.equal(a.u8(6), 7);
  t.equal(a.str(3), 'eth0', 'up to the NUL');
  t.equal(a.str(9), 'veth', 'the whole payload without one');
  t.strictSame([...a.raw(10)!], [1, 2, 3, 4, 5], 'raw is the payload without its padding');
  t.equal(a.has(10), true);
  t.equal(a.has(11), false);
  for (const read of [a.u8(11), a.u16(11), a.u32(11), a.s32(11), a.str(11), a.raw(11), a.nested(11)]) t.equal(read, undefined);
});

t.test('a payload too short for the width asked is absent, not read past', async (t) => {
  const a = AttrMap.of(
    message((w) => {
      putAttr(w, 1, Uint8Array.from([1, 2, 3]));
      putAttr(w, 2, new Uint8Array(0));
    }),
    16,
  );
  t.equal(a.u32(1), undefined);
  t.equal(a.s32(1), undefined);
  t.equal(a.u16(1), 0x0201);
  t.equal(a.u8(2), undefined);
  t.equal(a.str(2), '');
});

t.test('the first of a repeated type wins; list keeps every one in wire order', async (t) => {
  const a = AttrMap.of(
    message((w) => {
      putU32(w, 1, 10);
      putU32(w, 2, 20);
      putU32(w, 1, 11);
    }),
    16,
  );
  t.equal(a.u32(1), 10);
  t.strictSame(
    a.list.map((x) => [x.type, x.payload.readUInt32LE(0)]),
    [
      [1, 10],
      [2, 20],
      [1, 11],
    ],
  );
});

t.test('nests are read in place, with NLA_F_NESTED masked off the type', async (t) => {
  const buf = message((w) => {
    putU32(w, 1, 1);
    putNest(
      w,
      18,
      (w) => {
        putString(w, 1, 'veth');
        putNest(w, 2, (w) => putU32(w, 3, 42));
      },
      true,
    );
  });
  const a = AttrMap.of(buf, 16);
  const info = a.nested(18)!;
  t.equal(info.str(1), 'veth');
  t.equal(info.nested(2)!.u32(3), 42);
  t.strictSame(
    info.list.map((x) => x.type),
    decodeAttrs(a.raw(18)!).map((x) => x.type),
  );
});

t.test('fewer than 4 bytes left over are ignored; a bad length anywhere is an error', async (t) => {
  t.equal(
    AttrMap.of(
      message((w) => putU32(w, 1, 5), [0, 0]),
      16,
    ).u32(1),
    5,
  );
  t.throws(
    () =>
      AttrMap.of(
        message(() => {}, [3, 0, 1, 0]),
        16,
      ),
    DecodeError,
    'length below the header',
  );
  t.throws(
    () =>
      AttrMap.of(
        message(() => {}, [12, 0, 1, 0, 0, 0]),
        16,
      ),
    /bad attribute length 12 at offset 16/,
  );
  const nestedBad = message((w) => putAttr(w, 5, Uint8Array.from([9, 0, 1, 0, 0])));
  const outer = AttrMap.of(nestedBad, 16);
  t.throws(() => outer.nested(5), /bad attribute length 9/, 'a nest is checked when it is opened');
});
