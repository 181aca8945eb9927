// Conformance on each kernel: the mode asked for is the datapath built. ADD in each mode, auto included,
// makes a host-side link of the kind the mode file resolves to; auto
// resolves to netkit where the kernel has netkit, else veth (PODLINK_SUITE_EXPECT_AUTO, set by the VM
// tiers, names the answer each kernel must give); without tcx the BPF programs hang on cls_bpf filters.
import t from 'tap';
import * as fs from 'node:fs';
import { hostIfName, leftoverProblems, podStateProblems, successProblems } from './lib/checks.js';
import { bed, conformanceCase, modes, netkitHere, type Testbed } from './lib/suite.js';

interface ModeFile {
  operational: string;
  features: { netkit?: boolean; tcx?: boolean };
}

function linkKind(b: Testbed, dev: string): string {
  const [l] = JSON.parse(b.ip(b.node, ['-d', '-j', 'link', 'show', 'dev', dev])) as { linkinfo?: { info_kind?: string } }[];
  return l?.linkinfo?.info_kind ?? 'none';
}

function tcBpfFilters(b: Testbed, dev: string): number {
  let n = 0;
  for (const dir of ['ingress', 'egress']) {
    const r = b.exec(b.node, ['tc', '-j', 'filter', 'show', 'dev', dev, dir]);
    if (r.status === 0 && r.stdout.trim()) n += (JSON.parse(r.stdout) as { kind?: string }[]).filter((f) => f.kind === 'bpf').length;
  }
  return n;
}

// auto is not in the mode table (it is always one of the others): here it runs as itself, on every kernel.
for (const mode of [...modes(), { value: 'auto' }]) {
  // §10.3 (netkit is tested where the kernel has it) only from cases that build netkit.
  const builtNetkit = mode.value.startsWith('netkit') || (mode.value === 'auto' && netkitHere());
  conformanceCase(t, { items: builtNetkit ? ['§4 ADD.1', '§10.3'] : ['§4 ADD.1'], section: '§10', title: 'ADD builds the datapath the mode resolves to: link kind, and cls_bpf where the kernel has no tcx', mode, version: { value: '1.0.0' } }, (st) => {
    const b = bed(st, 'dpmode');
    const pod = b.pod('a');
    const conf = b.conf({ mode: mode.value });
    const add = b.run('ADD', { containerId: 'dpmode', pod, conf });
    st.strictSame(successProblems(add, 'ADD', 'json'), [], 'ADD succeeds');
    if (add.code !== 0) return;
    const mf = JSON.parse(fs.readFileSync(b.modeFile, 'utf8')) as ModeFile;
    const netkitKernel = mf.features.netkit === true;
    st.equal(mf.operational, netkitKernel ? 'netkit' : 'veth', `the mode file resolves auto to ${netkitKernel ? 'netkit' : 'veth'} (features.netkit=${netkitKernel})`);
    const expectAuto = process.env.PODLINK_SUITE_EXPECT_AUTO;
    if (expectAuto) st.equal(mf.operational, expectAuto, `auto resolves to ${expectAuto} on this kernel`);
    const want = mode.value === 'auto' ? mf.operational : mode.value.startsWith('netkit') ? 'netkit' : 'veth';
    const dev = hostIfName(add.json);
    st.ok(dev, 'the result names the host-side interface');
    if (dev) {
      st.equal(linkKind(b, dev), want, `${dev} is a ${want} device`);
      if (want === 'veth' && mf.features.tcx === false) st.ok(tcBpfFilters(b, dev) > 0, `no tcx: ${dev} has cls_bpf filters`);
    }
    st.strictSame(podStateProblems(b, pod, 'eth0', add.json), [], 'eth0 in the pod is up with the result addresses');
    st.strictSame(successProblems(b.run('DEL', { containerId: 'dpmode', pod, conf }), 'DEL', 'empty'), [], 'DEL succeeds');
    st.strictSame(leftoverProblems(b, [pod]), [], 'nothing left');
  });
}
