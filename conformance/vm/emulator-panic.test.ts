import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';

// emulator-panic.sh decides whether run-vm-tier.sh reruns a VM that died: only for a guest oops that
// names no network or BPF code. The stderr below is kvm-run's, cut from the CI run that panicked.
const script = path.join(import.meta.dirname, 'emulator-panic.sh');
const ciTrace = [
  'vm: build/vm-tests/agent-routing.test.mjs exit 0 # { total: 30, pass: 30 } (95s)',
  'kvm-run: the VM stopped before the command reported an exit status (qemu rc=0)',
  'kvm-run: last guest console lines:',
  '[  459.448501] Call Trace:',
  '[  459.449290]  <TASK>',
  '[  459.449878]  fuse_request_alloc+0x1c/0x70',
  '[  459.450052]  fuse_get_req+0xcb/0x2f0',
  '[  459.450099]  fuse_readahead+0x3ec/0x4a0',
  '[  459.450183]  filemap_fault+0x607/0xd40',
  '[  459.450374]  asm_exc_page_fault+0x26/0x30',
  '[  459.456905] Modules linked in: vxlan ip6_udp_tunnel udp_tunnel nft_chain_nat cls_bpf sch_ingress veth overlay',
  '[  459.458224] RIP: 0010:kmem_cache_alloc_noprof+0xc3/0x2f0',
  '[  459.460208] Kernel panic - not syncing: Fatal exception in interrupt',
].join('\n');

const classify = (stderr: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-panic-'));
  try {
    fs.writeFileSync(path.join(dir, 'err'), stderr);
    return spawnSync('bash', [script, path.join(dir, 'err')]).status;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};

t.test('a panic in the guest filesystem path is rerun, whatever the module list names', async (t) => {
  t.equal(classify(ciTrace), 0);
});

for (const fn of ['veth_xmit', 'bpf_prog_run_generic_xdp', 'tcx_link_attach', 'netkit_xmit', '__dev_queue_xmit', 'rtnl_newlink']) {
  t.test(`a trace naming ${fn} is not rerun: it may be podlink's`, async (t) => {
    t.equal(classify(ciTrace.replace('fuse_readahead', fn)), 1);
  });
}

t.test('a VM that reported an exit status, or died without an oops, is not rerun', async (t) => {
  t.equal(classify(ciTrace.replace('the VM stopped before the command reported an exit status', 'guest kernel messages:')), 1);
  const noOops = ciTrace.split('\n').filter((l) => !/Call Trace|RIP:|Kernel panic/.test(l));
  t.equal(classify(noOops.join('\n')), 1);
  t.equal(classify(''), 1);
});
