// The bpffs helpers that need no privileges: the kernel's list of filesystems.
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { kernelHasBpffs } from './bpffs.js';

t.test("kernelHasBpffs reads the kernel's list of filesystems, not whether bpffs is mounted", async (t) => {
  const dir = t.testdir({
    with: 'nodev\tsysfs\nnodev\ttmpfs\nnodev\tbpf\n\text4\n',
    without: 'nodev\tsysfs\nnodev\tbpfx\n\text4\n',
  });
  t.equal(kernelHasBpffs(path.join(dir, 'with')), true);
  t.equal(kernelHasBpffs(path.join(dir, 'without')), false, 'a name that only starts with bpf is not bpffs');
  t.equal(kernelHasBpffs(path.join(dir, 'missing')), false, 'no /proc: no bpffs claimed');
  if (fs.existsSync('/proc/filesystems'))
    t.equal(kernelHasBpffs(), /\tbpf$/m.test(fs.readFileSync('/proc/filesystems', 'utf8')), "this machine's answer");
});
