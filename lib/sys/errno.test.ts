import t from 'tap';
import { Errno, LayerErrno, asLayerErrno } from './errno.js';

class TestErrno extends LayerErrno {
  override name = 'TestErrno';
}

t.test('asLayerErrno re-raises as the layer type without formatting the original stack', async (t) => {
  const original = new Errno(2, 'ENOENT', 'bpf', 'bpf: No such file or directory (ENOENT)');
  Object.defineProperty(original, 'stack', {
    get() {
      throw new Error('the original stack was read');
    },
  });
  const re = asLayerErrno(TestErrno, original);
  t.ok(re instanceof TestErrno && re instanceof Errno, 'the layer type, still an Errno');
  const e = re as TestErrno;
  t.same([e.errno, e.code, e.syscall, e.message], [2, 'ENOENT', 'bpf', 'bpf: No such file or directory (ENOENT)']);
  t.match(e.stack, /asLayerErrno/, 'its own stack names the re-raise');
});

t.test('asLayerErrno leaves layer errors and other errors alone', async (t) => {
  const layered = new TestErrno(new Errno(1, 'EPERM', 'bpf'));
  t.equal(asLayerErrno(TestErrno, layered), layered);
  const other = new Error('not a syscall');
  t.equal(asLayerErrno(TestErrno, other), other);
});
