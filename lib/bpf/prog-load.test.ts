// PROG_LOAD against a stand-in bpf(2): EAGAIN (the verifier saw a pending signal) is retried, a bounded
// number of times, and every other error is not.
import t from 'tap';
import { E, Errno, type Sys } from '../sys/index.js';
import * as K from './consts.js';
import { PROG_LOAD_EAGAIN_TRIES, progLoad } from './syscalls.js';

function fakeSys(errnos: number[]): { sys: Sys; calls: () => number } {
  let calls = 0;
  const sys = {
    address: () => 0x1000n,
    bpf: (cmd: number) => {
      if (cmd !== K.BPF_PROG_LOAD) throw new Error(`unexpected bpf cmd ${cmd}`);
      const errno = errnos[calls++];
      if (errno === undefined) return 42;
      throw new Errno(errno, errno === E.EAGAIN ? 'EAGAIN' : 'EINVAL', 'bpf');
    },
  } as unknown as Sys;
  return { sys, calls: () => calls };
}

const req = { progType: 3, insns: Buffer.alloc(16), license: 'GPL', name: 'p', expectedAttachType: 0, logLevel: 0 };

t.test('EAGAIN is retried until the load succeeds', async (t) => {
  const f = fakeSys([E.EAGAIN, E.EAGAIN, E.EAGAIN]);
  t.equal(progLoad(f.sys, req), 42);
  t.equal(f.calls(), 4);
});

t.test('EAGAIN on every try ends after the bound, with the errno', async (t) => {
  const f = fakeSys(Array(100).fill(E.EAGAIN));
  t.throws(() => progLoad(f.sys, req), new Errno(E.EAGAIN, 'EAGAIN', 'bpf'));
  t.equal(f.calls(), PROG_LOAD_EAGAIN_TRIES);
});

t.test('other errors are not retried', async (t) => {
  const f = fakeSys([E.EINVAL]);
  t.throws(() => progLoad(f.sys, req), new Errno(E.EINVAL, 'EINVAL', 'bpf'));
  t.equal(f.calls(), 1);
});
