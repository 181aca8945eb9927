import { isIP } from 'node:net';
import t from 'tap';
import { ipLiteralFamily } from './ip-literal.js';

const cases = [
  '0.0.0.0',
  '10.1.2.3',
  '255.255.255.255',
  '256.1.1.1',
  '01.2.3.4',
  '1.2.3',
  '1.2.3.4.5',
  '1.2.3.',
  ' 1.2.3.4',
  '1.2.3.4 ',
  '::',
  '::1',
  '1::',
  'fd00::1',
  'fd00:1:2:3:4:5:6:7',
  'fd00:1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7::',
  '::2:3:4:5:6:7:8',
  '1::2::3',
  ':::',
  '1:',
  ':1',
  '12345::',
  'g::1',
  '::ffff:10.0.0.1',
  '::ffff:10.0.0.256',
  '1:2:3:4:5:6:1.2.3.4',
  '1:2:3:4:5:6:7:1.2.3.4',
  '1:2:3:4:5::1.2.3.4',
  'fe80::1%eth0',
  'fe80::1%',
  'fe80::1%a%b',
  '1.2.3.4%eth0',
  '',
  ':',
  '1.2.3.4/32',
  'fd00::/64',
  'FD00::ABCD',
  '0:0:0:0:0:0:0:0',
  '::0:0:0:0:0:0:0',
  '0:0:0:0:0:0:0::',
  '1:2:3:4:5:6:7:8::',
  '1::2:3:4:5:6:7',
  '::1.2.3.4',
  '1.2.3.4::',
  '1.2.3.4.',
  '1..2.3',
  '.1.2.3',
  '1234.1.1.1',
  '999.1.1.1',
  '00.1.1.1',
  '0.0.0.00',
  '0.0.0.0000',
  '249.250.199.100',
  '::1.2.3.04',
  'fe80::1%eth-0.x:Y',
  'fe80::1%eth 0',
  'fe80::1%\u00e9',
  'fe80::1%_',
];

t.test('agrees with node:net isIP', async (t) => {
  for (const c of cases) t.equal(ipLiteralFamily(c), isIP(c), JSON.stringify(c));
});

for (const [what, alphabet, seed0] of [
  ['near-addresses', '0123456789abcdef:.%', 7],
  ['dotted decimals', '0123456789.', 11],
  ['addresses with zones', '0123456789aAfFgZ:.%-_ ', 13],
] as const) {
  t.test(`agrees on random ${what}`, async (t) => {
    let seed: number = seed0;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    let mismatches = 0;
    for (let i = 0; i < 20000; i++) {
      const len = 1 + Math.floor(rnd() * 20);
      let s = '';
      for (let j = 0; j < len; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      if (ipLiteralFamily(s) !== isIP(s)) {
        mismatches++;
        if (mismatches < 5) t.fail(`${JSON.stringify(s)}: ours ${ipLiteralFamily(s)}, node ${isIP(s)}`);
      }
    }
    t.equal(mismatches, 0);
  });
}
