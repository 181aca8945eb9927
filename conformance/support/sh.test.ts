// sh() and spawnError(): a tool that exits before reading its input is judged by its own exit status
// and stderr, not by the EPIPE its writer may or may not have seen first.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { sh, spawnError } from './index.js';

// Far more input than a pipe holds, to a tool that never reads it: the write fails with EPIPE.
const big = 'link show\n'.repeat(200_000);

t.test('EPIPE with an exit status is not the error; the status and stderr are', async (t) => {
  const r = spawnSync('sh', ['-c', 'echo refused >&2; exit 3'], { input: big, encoding: 'utf8' });
  t.equal((r.error as NodeJS.ErrnoException | undefined)?.code, 'EPIPE', 'the writer saw EPIPE');
  t.equal(spawnError(r), undefined);
  t.throws(() => sh('sh', ['-c', 'echo refused >&2; exit 3'], { input: big }), /exit 3: refused/);
  t.equal(sh('sh', ['-c', 'exit 0'], { input: big }), '', 'exit 0 without reading is success');
});

t.test('other spawn errors stay errors', async (t) => {
  const r = spawnSync('/nonexistent/tool', [], { encoding: 'utf8' });
  t.equal(spawnError(r)?.code, 'ENOENT');
  t.throws(() => sh('/nonexistent/tool', []), /ENOENT/);
});
