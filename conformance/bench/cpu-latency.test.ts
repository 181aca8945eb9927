import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { CPU_LATENCY_FILE, CpuLatency } from './cpu-latency.js';
import { Cleanup } from './harness.js';

// Counts only this process's fds open on `file`: tap and Node open and close their own fds at any moment,
// so a count of all fds flakes (CI saw 28 before and 27 after).
const fdsOn = (file: string) =>
  fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false;
    }
  }).length;

const readTarget = () => {
  const fd = fs.openSync(CPU_LATENCY_FILE, 'r');
  try {
    const b = Buffer.alloc(4);
    fs.readSync(fd, b, 0, 4, null);
    return b.readInt32LE(0);
  } finally {
    fs.closeSync(fd);
  }
};

t.test('writes a binary zero and holds the file open only during the sample', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-lat-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'qos');
  fs.writeFileSync(file, '');
  const c = new Cleanup();
  const lat = new CpuLatency(c, file);
  t.same(lat.status(), { held: false, reason: 'no latency sample ran' });
  t.equal(fdsOn(file), 0, 'nothing holds the file before the sample');
  const inside = await lat.during(async () => fdsOn(file));
  t.equal(inside, 1, 'the request lives as long as the fd');
  t.equal(fdsOn(file), 0, 'closed after the sample');
  t.same([...fs.readFileSync(file)], [0, 0, 0, 0]);
  t.same(lat.status(), { held: true });
  lat.acquire();
  t.same(c.run(), []);
  t.equal(fdsOn(file), 0, 'cleanup releases a request still held');
});

t.test('a file that cannot be opened is reported once, and samples still run', async (t) => {
  const lat = new CpuLatency(new Cleanup(), '/nonexistent-dir/qos');
  t.equal(await lat.during(async () => 7), 7);
  t.equal(lat.acquire(), false);
  t.same(lat.status(), { held: false, reason: 'cannot open /nonexistent-dir/qos: ENOENT' });
});

t.test('the kernel takes the request and drops it on release', { skip: process.getuid?.() !== 0 || !fs.existsSync(CPU_LATENCY_FILE) ? 'needs root and /dev/cpu_dma_latency' : false }, async (t) => {
  const lat = new CpuLatency(new Cleanup());
  t.ok(readTarget() > 0, 'no request held before (another holder would make this test meaningless)');
  t.equal(await lat.during(async () => readTarget()), 0, 'the effective target is 0 µs while held');
  t.ok(readTarget() > 0, 'released after the sample');
});
