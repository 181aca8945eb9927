import t from 'tap';
import { nativeSys, C, Errno, cstr } from './index.js';

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
