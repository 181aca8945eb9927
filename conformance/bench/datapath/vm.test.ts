import t from 'tap';
import { classifyVm } from './vm.js';

t.test('kvm-run outcomes: OK, SKIP, FAILED, INCONCLUSIVE', async (t) => {
  const ok = classifyVm(0, 'noise\nDATAPATH-VM-RESULT {"kernel":"6.12.1","setupSeconds":3,"reps":[{}]}\n', '');
  t.same([ok.status, ok.kernel, ok.reps.length], ['OK', '6.12.1', 1]);
  t.same(classifyVm(77, '', 'kvm-run: skip: qemu-system-x86_64 missing\n'), { status: 'SKIP', reason: 'qemu-system-x86_64 missing', reps: [] });
  t.equal(classifyVm(1, '', 'DATAPATH-VM-ERROR Error: podlink ADD failed\n').status, 'FAILED');
  const vfs = classifyVm(125, '', 'virtiofsd: seccomp violation\nkvm-run: the VM failed\n');
  t.equal(vfs.status, 'INCONCLUSIVE');
  t.match(vfs.reason, /virtiofsd failed/);
  t.match(classifyVm(124, '', '').reason, /timed out/);
  t.equal(classifyVm(0, 'no result line', '').status, 'INCONCLUSIVE', 'exit 0 without a result is not OK');
});
