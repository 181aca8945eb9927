// The committed BPF objects must be what the committed sources compile to (bpf2go convention).
import t from 'tap';
import { BPF_TARGETS, buildBpfObjects, clangVersion } from './build.mjs';

const clang = clangVersion();

t.test('committed objects are up to date with their sources', { skip: !clang && 'clang not installed: cannot rebuild the BPF objects' }, async (t) => {
  const r = buildBpfObjects({ check: true });
  t.same(r.written, [], 'check mode writes nothing');
  t.same(r.unchanged, BPF_TARGETS.map((x) => x.out), `byte-identical with ${clang}`);
});

t.test('without clang the build is a no-op that says why', async (t) => {
  const r = buildBpfObjects({ check: true, clang: '/nonexistent/clang' });
  t.match(r.skipped, /not found/);
  t.same(r.written, []);
});
