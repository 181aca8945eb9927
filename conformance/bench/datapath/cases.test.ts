import t from 'tap';
import { UsageError } from '../suite.js';
import { HOST_CASES, parseCases } from './cases.js';

t.test('--cases takes host case keys, comma-separated, each once', async (t) => {
  t.same(parseCases('flannel,tunnel,twoNode'), ['flannel', 'tunnel', 'twoNode']);
  t.same(parseCases(' tunnel , tunnel,'), ['tunnel']);
  t.equal(HOST_CASES.length, 13);
});

t.test('an unknown key, a VM case or an empty list is a usage error naming the valid keys', async (t) => {
  t.throws(() => parseCases('tunnel,flanel'), new UsageError('--cases: unknown case flanel; host cases: direct, legacy, bpf, legacyLoad, bpfLoad, twoNode, underlay, twoNodeLegacy, flannel, tunnel, vxlanUnderlay, vxlanNode, lo'));
  t.throws(() => parseCases('vmNetkit'), /unknown case vmNetkit/);
  t.throws(() => parseCases(','), /unknown case \(none given\)/);
});
