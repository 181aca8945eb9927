import * as fs from 'node:fs';
import t from 'tap';
import { hintForConfigPath } from './path-hint.js';

const fsError = (p: string): Error => {
  try {
    fs.mkdirSync(p);
  } catch (e) {
    return e as Error;
  }
  throw new Error(`mkdir ${p} succeeded`);
};

t.test('a filesystem error on the file, an ancestor or a file beside it gets the hint', async (t) => {
  const dir = t.testdir({ f: '' });
  const file = `${dir}/state/x.cbor`;
  for (const p of [dir, `${dir}/state`, file, `${dir}/state/.x.cbor.1.tmp`]) {
    const e = Object.assign(fsError(`${dir}/f/sub`), { path: p }); // a real ENOTDIR, pointed at p
    t.equal((hintForConfigPath(e, file, 'fix stateDir') as { hint?: string }).hint, 'fix stateDir', p);
  }
});

t.test('other errors, other paths and errors that have a hint are left as they are', async (t) => {
  const dir = t.testdir({ f: '' });
  const file = `${dir}/state/x.cbor`;
  const elsewhere = fsError(`${dir}/f/sub`);
  t.equal((hintForConfigPath(elsewhere, file, 'h') as { hint?: string }).hint, undefined, 'a path outside the file and its directory');
  const plain = new Error('not a filesystem error');
  t.equal((hintForConfigPath(plain, file, 'h') as { hint?: string }).hint, undefined);
  const hinted = Object.assign(fsError(`${dir}/f/sub`), { path: file, hint: 'own' });
  t.equal((hintForConfigPath(hinted, file, 'h') as { hint?: string }).hint, 'own');
  t.equal(hintForConfigPath('text', file, 'h'), 'text');
});
