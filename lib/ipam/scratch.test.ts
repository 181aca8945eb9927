import * as fs from 'node:fs';
import t from 'tap';
import { nativeSys, type Sys } from '../sys/index.js';
import { scratchContents, scratchFile, scratchInput } from './scratch.js';

const where = (fd: number) => fs.readlinkSync(`/proc/self/fd/${fd}`);

t.test('scratch files live in memory (memfd) and hold what was written from offset 0', async (t) => {
  const fd = scratchInput('{"cniVersion":"1.0.0"}', nativeSys());
  t.teardown(() => fs.closeSync(fd));
  t.match(where(fd), /^\/memfd:podlink-ipam/);
  t.equal(scratchContents(fd, 1024)?.toString(), '{"cniVersion":"1.0.0"}');
  t.equal(scratchContents(fd, 3), undefined, 'more than max: undefined');
});

t.test('without memfd_create (a seccomp filter, a fake Sys) they are unnamed files in the temp directory', async (t) => {
  const refusing = {
    memfd: () => {
      throw Object.assign(new Error('memfd_create: EPERM'), { errno: 1 });
    },
  } as unknown as Sys;
  for (const sys of [refusing, undefined]) {
    const fd = scratchFile(sys);
    t.teardown(() => fs.closeSync(fd));
    t.match(where(fd), /^\/tmp\/.*\(deleted\)$|^\/tmp\/#\d+/, where(fd));
  }
});
