// How `podlink install` writes the executable (cmd/atomic-copy.ts): in writes small enough that each call
// maps only what it touches (docs/kernel.md#page-cache-folios).
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyFileAtomic } from './atomic-copy.js';

const DIST = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist/podlink');
const isRoot = process.geteuid?.() === 0;

/** KiB of `file` mapped (smaps Rss) by a podlink waiting on stdin for its CNI VERSION config. */
async function mappedKib(bin: string): Promise<number> {
  const child = spawn(bin, [], { env: { PATH: '/usr/bin:/bin', CNI_COMMAND: 'VERSION' }, stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = new Promise((r) => child.on('exit', r));
  const rss = () => {
    let kib = 0;
    let ours = false;
    for (const line of fs.readFileSync(`/proc/${child.pid}/smaps`, 'utf8').split('\n')) {
      if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) ours = line.endsWith(` ${bin}`);
      else if (ours && line.startsWith('Rss:')) kib += Number(line.split(/\s+/)[1]);
    }
    return kib;
  };
  let last = -1;
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = rss(); // settled: the payload is loaded and the process waits for stdin
    if (now === last && now > 0) break;
    last = now;
  }
  child.stdin.end();
  await exited;
  return last;
}

t.test(
  'the installed executable is mapped as a file read back from disk would be, not in large page-cache folios',
  { skip: (!fs.existsSync(DIST) && 'dist/podlink not built') || (!isRoot && 'needs root to drop the page cache of a file') },
  async (t) => {
    const dir = t.testdir();
    const installed = path.join(dir, 'opt/cni/bin/podlink');
    copyFileAtomic(DIST, installed); // what `podlink install` does with the binary
    // The same bytes in one write (the page cache's largest folios), and read back after eviction.
    const oneWrite = path.join(dir, 'one-write');
    const readBack = path.join(dir, 'read-back');
    for (const f of [oneWrite, readBack]) fs.writeFileSync(f, fs.readFileSync(DIST), { mode: 0o755 });
    t.equal(spawnSync('sync', [readBack]).status, 0);
    t.equal(spawnSync('dd', [`if=${readBack}`, 'iflag=nocache', 'count=0', 'status=none']).status, 0, 'dropped from the page cache');
    const kib = { installed: 0, readBack: 0, oneWrite: 0 };
    kib.readBack = await mappedKib(readBack); // first: nothing else has read it back yet
    kib.installed = await mappedKib(installed);
    kib.oneWrite = await mappedKib(oneWrite);
    t.comment(`executable mapped, KiB: ${JSON.stringify(kib)} (docs/kernel.md#page-cache-folios)`);
    t.ok(kib.installed <= kib.readBack * 1.1 + 1024, `installed ${kib.installed} KiB vs read back ${kib.readBack} KiB`);
  },
);
