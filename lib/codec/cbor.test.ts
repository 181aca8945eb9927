import t from 'tap';
import { decode as cborxDecode, encode as cborxEncode } from 'cbor-x';
import { CBOR_MAX_DEPTH, decodeCbor, encodeCbor, DecodeError, type CborValue } from './index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Buffer.from(h, 'hex');

// RFC 8949 Appendix A: value, preferred encoding.
const VECTORS: [CborValue, string][] = [
  [0, '00'],
  [1, '01'],
  [10, '0a'],
  [23, '17'],
  [24, '1818'],
  [25, '1819'],
  [100, '1864'],
  [1000, '1903e8'],
  [1000000, '1a000f4240'],
  [1000000000000, '1b000000e8d4a51000'],
  [Number.MAX_SAFE_INTEGER, '1b001fffffffffffff'],
  [-1, '20'],
  [-10, '29'],
  [-100, '3863'],
  [-1000, '3903e7'],
  [1.1, 'fb3ff199999999999a'],
  [-4.1, 'fbc010666666666666'],
  [false, 'f4'],
  [true, 'f5'],
  [null, 'f6'],
  [undefined, 'f7'],
  ['', '60'],
  ['a', '6161'],
  ['IETF', '6449455446'],
  ['"\\', '62225c'],
  ['\u00fc', '62c3bc'],
  ['\u6c34', '63e6b0b4'],
  ['\u{10151}', '64f0908591'],
  [new Uint8Array([1, 2, 3, 4]), '4401020304'],
  [[], '80'],
  [[1, 2, 3], '83010203'],
  [[1, [2, 3], [4, 5]], '8301820203820405'],
  [Array.from({ length: 25 }, (_, i) => i + 1), '98190102030405060708090a0b0c0d0e0f101112131415161718181819'],
  [{}, 'a0'],
  [{ a: 1, b: [2, 3] }, 'a26161016162820203'],
  [['a', { b: 'c' }], '826161a161626163'],
];

t.test('encodes the RFC 8949 examples in their preferred serialisation, and decodes them back', async (t) => {
  for (const [v, h] of VECTORS) {
    t.equal(hex(encodeCbor(v)), h, `encode ${JSON.stringify(v) ?? String(v)}`);
    t.same(decodeCbor(bytes(h)), v, `decode ${h}`);
  }
});

t.test('decodes the forms it never writes: longer heads, half and single floats, cbor-x maps', async (t) => {
  const cases: [string, CborValue][] = [
    ['1800', 0],
    ['190001', 1],
    ['1a00000001', 1],
    ['1b0000000000000001', 1],
    ['3b001ffffffffffffe', Number.MIN_SAFE_INTEGER], // -1 - (2^53 - 2)
    ['f90000', 0],
    ['f93c00', 1],
    ['f93e00', 1.5],
    ['f97bff', 65504],
    ['f90001', 5.960464477539063e-8],
    ['f90400', 0.00006103515625],
    ['f9c400', -4],
    ['f97c00', Infinity],
    ['f9fc00', -Infinity],
    ['fa47c35000', 100000],
    ['fa7f800000', Infinity],
    ['b900026161016162f7', { a: 1, b: undefined }],
    ['fb4270000000000000', 2 ** 40],
  ];
  for (const [h, v] of cases) t.same(decodeCbor(bytes(h)), v, h);
  t.ok(Number.isNaN(decodeCbor(bytes('f97e00'))), 'half NaN');
  t.ok(Object.is(decodeCbor(bytes('f98000')), -0), 'half -0');
  t.ok(Object.is(decodeCbor(encodeCbor(-0)), -0), '-0 goes as a float and comes back');
});

/** Values shaped like podlink's files: maps of text to text, integers, arrays and absent fields. */
function randomValue(rnd: () => number, depth = 0): CborValue {
  const pick = Math.floor(rnd() * (depth > 2 ? 6 : 8));
  const text = () => {
    const alphabet = ['a', 'Z', '0', '/', ':', '.', ' ', '\u00e9', '\u6c34', '\u{1f600}'];
    return Array.from({ length: Math.floor(rnd() * 70) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
  };
  switch (pick) {
    case 0:
      return Math.floor(rnd() * 2 ** (1 + Math.floor(rnd() * 52)));
    case 1:
      return -Math.floor(rnd() * 2 ** (1 + Math.floor(rnd() * 52))) - 1;
    case 2:
      return text();
    case 3:
      return [true, false, null][Math.floor(rnd() * 3)]!;
    case 4:
      return rnd() * 1e6 - 5e5;
    case 5:
      return text().toUpperCase();
    case 6:
      return Array.from({ length: Math.floor(rnd() * 30) }, () => randomValue(rnd, depth + 1));
    default: {
      const o: { [k: string]: CborValue } = {};
      for (let i = Math.floor(rnd() * 30); i > 0; i--) o[`${text()}${i}`] = randomValue(rnd, depth + 1);
      return o;
    }
  }
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

t.test('agrees with cbor-x both ways (the encoder of the records earlier podlink versions wrote)', async (t) => {
  const rnd = seeded(18);
  let n = 0;
  for (let i = 0; i < 400; i++) {
    const v = randomValue(rnd);
    const ours = encodeCbor(v);
    const theirs = cborxEncode(v) as Buffer;
    t.same(decodeCbor(theirs), v, `decode(cbor-x encode) #${i}`);
    t.same(cborxDecode(ours), v, `cbor-x decode(encode) #${i}`);
    n += theirs.length;
  }
  t.ok(n > 50_000, `covered ${n} bytes of cbor-x output`);
});

t.test('a record as ADD writes it: the same map cbor-x wrote, in fewer bytes', async (t) => {
  const record = {
    v: 1,
    state: 'ready',
    network: 'podlink',
    containerId: 'c'.repeat(64),
    ifname: 'eth0',
    netns: '/var/run/netns/cni-1234',
    mode: 'netkit-l2',
    hostIfName: 'pl0123456789ab',
    hostIfindex: 70000,
    podIfindex: 2,
    hostMac: '02:50:4c:00:00:01',
    ips: ['10.244.1.2/32', 'fd00:244::2/128'],
    ipamType: 'host-local',
    pins: ['/sys/fs/bpf/podlink/endpoints/pl0123456789ab/from-pod'],
    createdAt: '2026-12-06T20:00:00.000Z',
  };
  const ours = encodeCbor(record);
  const theirs = cborxEncode(record) as Buffer;
  t.same(decodeCbor(theirs), record);
  t.same(decodeCbor(ours), record);
  t.equal(ours[0], 0xa0 + 15, 'a map of 15 in its one-byte head (cbor-x writes a 16-bit length)');
  t.equal(ours.length, theirs.length - 2);
});

t.test('malformed input fails with a DecodeError naming the byte, never another error', async (t) => {
  const bad: [string, RegExp][] = [
    ['', /truncated: 1 more bytes needed, 0 left at byte 0/],
    ['18', /truncated/],
    ['1b00000000000000', /truncated/],
    ['1b0020000000000000', /above 2\^53 at byte 9/],
    ['3b0020000000000000', /above 2\^53/],
    ['1c', /reserved additional information 28/],
    ['6261', /truncated|length of 2 with 1 bytes left/],
    ['62c328', /not UTF-8 at byte 1/],
    ['63eda080', /not UTF-8/], // a lone surrogate
    ['9f01ff', /indefinite length/],
    ['bf6161ff', /indefinite length/],
    ['7f6161ff', /indefinite length/],
    ['5f4101ff', /indefinite length/],
    ['ff', /a break outside/],
    ['c074323031332d30332d32315432303a30343a30305a', /tag 0 \(not used/],
    ['d9d9f7a0', /tag 55799/],
    ['f0', /simple value 16/],
    ['f820', /simple value 24/],
    ['a10102', /map key that is not a text string at byte 1/],
    ['a2616101616102', /duplicate map key "a" at byte 4/],
    ['0000', /1 bytes after the item at byte 1/],
    ['9bffffffffffffffff', /above 2\^53/],
    ['9a7fffffff', /a length of 2147483647 with 0 bytes left/],
    ['ba7fffffff', /a length of 2147483647 with 0 bytes left/],
    ['5a7fffffff', /a length of 2147483647/],
  ];
  for (const [h, re] of bad) t.throws(() => decodeCbor(bytes(h)), { name: 'DecodeError', message: re }, h || '(empty)');
  const deep = bytes('81'.repeat(CBOR_MAX_DEPTH + 1) + '00');
  t.throws(() => decodeCbor(deep), { name: 'DecodeError', message: /nesting deeper than 32/ });
  t.same(decodeCbor(bytes('81'.repeat(CBOR_MAX_DEPTH) + '00')), JSON.parse('['.repeat(CBOR_MAX_DEPTH) + '0' + ']'.repeat(CBOR_MAX_DEPTH)));
});

t.test('every prefix of a valid item, and random bytes, fail only with DecodeError', async (t) => {
  const rnd = seeded(7);
  let failures = 0;
  for (let i = 0; i < 30; i++) {
    const whole = encodeCbor(randomValue(rnd));
    for (let end = 0; end < whole.length; end++) {
      try {
        decodeCbor(whole.subarray(0, end));
        t.fail(`prefix ${end} of ${hex(whole)} decoded`);
      } catch (e) {
        if (!(e instanceof DecodeError)) t.fail(`prefix ${end}: ${String(e)}`);
        failures++;
      }
    }
  }
  for (let i = 0; i < 20000; i++) {
    const b = Uint8Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => Math.floor(rnd() * 256));
    try {
      decodeCbor(b);
    } catch (e) {
      if (!(e instanceof DecodeError)) t.fail(`${hex(b)}: ${String(e)}`);
    }
  }
  t.ok(failures > 500, `${failures} truncated items refused`);
});

t.test('a "__proto__" key is a key, not the prototype', async (t) => {
  const o = decodeCbor(bytes('a1695f5f70726f746f5f5fa16178f5')) as Record<string, unknown>;
  t.equal(Object.getPrototypeOf(o), Object.prototype);
  t.same(Object.keys(o), ['__proto__']);
  t.equal((Object.getOwnPropertyDescriptor(o, '__proto__')!.value as { x: boolean }).x, true);
  t.equal((o as { x?: unknown }).x, undefined, 'nothing inherited from it');
});

t.test('what has no CBOR form here is refused when encoding', async (t) => {
  for (const v of [10n, () => 0, Symbol('s')] as unknown[]) t.throws(() => encodeCbor(v as unknown as CborValue), TypeError, typeof v);
  let deep: CborValue = 0;
  for (let i = 0; i <= CBOR_MAX_DEPTH; i++) deep = [deep];
  t.throws(() => encodeCbor(deep), { name: 'TypeError', message: /nested deeper than 32/ });
  const big = 'x'.repeat(70000);
  t.same(decodeCbor(encodeCbor({ big, n: [big] })), { big, n: [big] }, 'grows its buffer past 256 bytes');
  const huge = 'y'.repeat(4 << 20);
  t.equal(decodeCbor(encodeCbor(huge)), huge, 'a 4 MiB text string (no call with one argument per character)');
  t.equal(decodeCbor(encodeCbor(`\u00e9${huge}`)), `\u00e9${huge}`, 'and one that is not ASCII');
  for (const v of [new Date(0), new Map(), /x/]) t.throws(() => encodeCbor(v as unknown as CborValue), TypeError, v.constructor.name);
});
