import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import t from 'tap';
import * as C from './constants.js';
import { nativeSys, E, Errno, cstr, cstrs } from './index.js';
import { createNetns, inNetns } from '../../conformance/support/index.js';

const root = process.geteuid?.() === 0;

t.test('native socket/bind/close round trip on AF_NETLINK', { skip: !root && 'needs root' }, async (t) => {
  const s = nativeSys();
  const fd = s.socket(C.AF_NETLINK, C.SOCK_RAW, C.NETLINK_ROUTE);
  t.ok(fd > 2, 'got an fd');
  const sa = Buffer.alloc(12);
  sa.writeUInt16LE(C.AF_NETLINK, 0);
  t.equal(s.bind(fd, sa), 0);
  t.equal(s.close(fd), 0);
});

t.test('errors become Errno with number, code and syscall', { skip: !root && 'needs root' }, async (t) => {
  const s = nativeSys();
  const err = t.throws(() => s.open(cstr('/nonexistent/podlink'), C.O_RDONLY, 0)) as unknown;
  t.ok(err instanceof Errno, 'is Errno');
  const e = err as Errno;
  t.equal(e.errno, 2);
  t.equal(e.code, 'ENOENT');
  t.equal(e.syscall, 'open');
  t.throws(() => s.close(987654), { code: 'EBADF', syscall: 'close' });
  t.throws(() => s.open(Buffer.from('no-nul'), 0, 0), TypeError);
});

t.test('bpf with a bad command fails with EINVAL', { skip: !root && 'needs root' }, async (t) => {
  const s = nativeSys();
  t.throws(() => s.bpf(9999, Buffer.alloc(168)), { code: 'EINVAL', syscall: 'bpf' });
  t.type(s.address(Buffer.alloc(8)), 'bigint');
});

t.test("bpf's quiet errno comes back as its negative; any other errno still throws", { skip: !root && 'needs root' }, async (t) => {
  const s = nativeSys();
  t.equal(s.bpf(9999, Buffer.alloc(168), E.EINVAL), -E.EINVAL, 'the expected errno is a value');
  t.throws(() => s.bpf(9999, Buffer.alloc(168), E.ENOENT), { code: 'EINVAL', syscall: 'bpf' }, 'another one is an Errno');
  t.throws(() => s.bpf(9999, Buffer.alloc(168), 'ENOENT' as unknown as number), TypeError);
});

t.test(
  'spawnStart/spawnJoin run a program on our fds with its env; waitpid times out, then reports the exit',
  { skip: !root && 'needs root' },
  async (t) => {
    const s = nativeSys();
    const dir = t.testdir({ in: 'from stdin\n', out: '' });
    const fd = (name: string, flags: number) => s.open(cstr(`${dir}/${name}`), flags, 0o600);
    const [inFd, outFd] = [fd('in', C.O_RDONLY), fd('out', C.O_WRONLY)];
    t.teardown(() => [inFd, outFd].forEach((x) => s.close(x)));
    // Node ignores SIGPIPE, and an exec keeps ignored signals ignored unless spawn resets them.
    const script = 'read line; echo "$line $GREETING"; grep -E "^Sig(Blk|Ign)" /proc/self/status; sleep 0.3; exit 3';
    const handle = s.spawnStart(
      cstr('/bin/sh'),
      cstrs(['/bin/sh', '-c', script]),
      cstrs(['GREETING=hello', 'PATH=/usr/bin:/bin']),
      inFd,
      outFd,
      outFd,
    );
    const pid = s.spawnJoin(handle);
    t.throws(() => s.spawnJoin(handle), RangeError, 'a handle joins once');
    t.equal(s.waitpid(pid, 0), -1, 'running: a look returns -1 at once');
    t.equal(s.waitpid(pid, 20), -1, 'still running after a 20 ms wait');
    const st = s.waitpid(pid, 5000);
    t.equal(st >> 8, 3, 'exit status 3');
    t.equal(st & 0x7f, 0, 'no signal');
    const [line, sigBlk, sigIgn] = readFileSync(`${dir}/out`, 'utf8').split('\n');
    t.equal(line, 'from stdin hello', 'stdin, stdout and the environment are the ones given');
    const mask = (l: string | undefined) => BigInt(`0x${l!.split(/\s+/)[1]}`);
    t.equal(mask(sigBlk), 0n, 'no signal is blocked in the child (the worker that made it blocks them all)');
    t.equal(mask(sigIgn), 0n, 'no signal is ignored in the child');
    t.throws(() => s.waitpid(pid, 0), { code: 'ECHILD', syscall: 'waitpid' }, 'reaped once only');
    const missing = s.spawnStart(cstr('/nonexistent/podlink'), cstrs(['x']), cstrs([]), inFd, outFd, outFd);
    t.throws(() => s.spawnJoin(missing), { code: 'ENOENT', syscall: 'execve' }, "the spawn's error comes with the join");
    t.throws(() => s.spawnStart(Buffer.from('no-nul'), cstrs(['x']), cstrs([]), inFd, outFd, outFd), TypeError);
    t.throws(() => s.spawnJoin(99), RangeError, 'an unknown handle');
    const killed = s.spawnJoin(s.spawnStart(cstr('/bin/sleep'), cstrs(['/bin/sleep', '5']), cstrs([]), inFd, outFd, outFd));
    process.kill(killed, 'SIGKILL');
    t.equal(s.waitpid(killed, -1) & 0x7f, 9, 'a killed child reports its signal; -1 waits without a limit');
    // The workers stay: a thread that exits has its task_struct freed through RCU, which a CNI call's next
    // synchronize_rcu() would wait for (docs/kernel.md#tcx-rcu).
    const workers = () =>
      readdirSync('/proc/self/task')
        .filter((tid) => readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === 'podlink-spawn')
        .sort();
    const before = workers();
    t.ok(before.length > 0, 'a joined spawn leaves its worker thread');
    for (let i = 0; i < 3; i++)
      s.waitpid(s.spawnJoin(s.spawnStart(cstr('/bin/true'), cstrs(['true']), cstrs([]), inFd, outFd, outFd)), 5000);
    t.same(workers(), before, 'later spawns in the same netns reuse it: no thread is made or ends');
  },
);

t.test('waitpid keeps its timeout without a pidfd (no fd left for one)', { skip: !root && 'needs root' }, async (t) => {
  const s = nativeSys();
  const [, soft, hard] = /Max open files\s+(\S+)\s+(\S+)/.exec(readFileSync('/proc/self/limits', 'utf8'))!;
  const setSoft = (n: string) => t.equal(spawnSync('prlimit', [`--pid=${process.pid}`, `--nofile=${n}:${hard}`]).status, 0, `nofile ${n}`);
  const pid = s.spawnJoin(s.spawnStart(cstr('/bin/sh'), cstrs(['/bin/sh', '-c', 'sleep 0.3; exit 4']), cstrs([]), 0, 1, 2));
  const held: number[] = [];
  let look = 0;
  let st = 0;
  // Headroom: every fd below the limit is taken and then given back, so restoring the limit (spawnSync needs
  // pipes) has at least 64 free fds even when the process had no holes below its highest fd.
  setSoft(String(Math.max(...readdirSync('/proc/self/fd').map(Number)) + 65));
  try {
    for (;;) held.push(s.open(cstr('/dev/null'), C.O_RDONLY, 0));
  } catch (e) {
    t.match(e, { code: 'EMFILE' }, 'every fd taken');
    const start = Date.now();
    look = s.waitpid(pid, 30);
    t.ok(Date.now() - start >= 25, 'the 30 ms wait was waited');
    st = s.waitpid(pid, 5000);
  } finally {
    held.forEach((fd) => s.close(fd));
    setSoft(soft!);
  }
  t.equal(look, -1, 'still running after 30 ms');
  t.equal(st >> 8, 4, 'then its exit status');
});

t.test(
  "spawnStart's child runs in the netns the caller was in, whatever the caller enters next",
  { skip: !root && 'needs root' },
  async (t) => {
    const s = nativeSys();
    const ns = createNetns(s, `plsys${process.pid}`);
    t.teardown(() => ns.remove());
    const dir = t.testdir({ a: '', b: '', c: '', d: '' });
    const out = (name: string) => s.open(cstr(`${dir}/${name}`), C.O_WRONLY, 0o600);
    const [outA, outB, outC, outD] = [out('a'), out('b'), out('c'), out('d')];
    t.teardown(() => [outA, outB, outC, outD].forEach((fd) => s.close(fd)));
    const readlink = (fd: number) =>
      s.spawnStart(cstr('/bin/readlink'), cstrs(['/bin/readlink', '/proc/self/ns/net']), cstrs([]), 0, fd, 2);
    const a = readlink(outA); // started here, then this thread moves at once
    const b = inNetns(s, ns, () => readlink(outB)); // started in the other netns
    for (const h of [a, b]) t.equal(s.waitpid(s.spawnJoin(h), 5000) >> 8, 0, 'readlink ran');
    const ours = readlinkSync('/proc/thread-self/ns/net');
    const theirs = ns.exec('readlink', ['/proc/self/ns/net']).trim();
    t.not(ours, theirs);
    t.equal(
      readFileSync(`${dir}/a`, 'utf8').trim(),
      ours,
      'started in our netns: runs there though the caller entered another right after',
    );
    t.equal(readFileSync(`${dir}/b`, 'utf8').trim(), theirs, 'started in the other netns: runs there');
    // Each job slot keeps its worker thread: the first slot's was made in our netns, the second's in the
    // other. Started the other way round, each slot needs a new worker, in the caller's netns.
    const c = inNetns(s, ns, () => readlink(outC));
    const d = readlink(outD);
    for (const h of [c, d]) t.equal(s.waitpid(s.spawnJoin(h), 5000) >> 8, 0, 'readlink ran again');
    t.equal(readFileSync(`${dir}/c`, 'utf8').trim(), theirs, "a slot whose worker is in our netns: the spawn runs in the caller's");
    t.equal(readFileSync(`${dir}/d`, 'utf8').trim(), ours, "a slot whose worker is in the other netns: the spawn runs in the caller's");
  },
);
