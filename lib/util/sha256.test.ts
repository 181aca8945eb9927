import { createHash, randomBytes } from 'node:crypto';
import t from 'tap';
import { sha256Hex } from './sha256.js';

t.test('FIPS 180-4 test vectors', async (t) => {
  t.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  t.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  t.equal(
    sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  );
});

t.test('agrees with node:crypto at every length across block boundaries and on random data', async (t) => {
  for (let n = 0; n < 200; n++) {
    const b = randomBytes(n);
    t.equal(sha256Hex(b), createHash('sha256').update(b).digest('hex'), `${n} bytes`);
  }
  const big = randomBytes(100_000);
  t.equal(sha256Hex(big), createHash('sha256').update(big).digest('hex'), '100 kB');
  t.equal(sha256Hex('ünïcødé:eth0'), createHash('sha256').update('ünïcødé:eth0').digest('hex'), 'strings are UTF-8');
});
