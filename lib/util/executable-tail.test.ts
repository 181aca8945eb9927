import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t, { type Test } from 'tap';
import { executableTail, tailSection } from '../../release/executable-tail.mjs';
import { embeddedSection, readTailSection, requiredSection } from './executable-tail.js';

const image = Buffer.from('\x7fELF stands in for the executable image '.repeat(50));
const cache = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff));
const addon = Buffer.from('addon bytes '.repeat(100));
const object = Buffer.from('bpf object '.repeat(70));

function file(t: Test, bytes: Buffer, name = 'podlink'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-tail-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const f = path.join(dir, name);
  fs.writeFileSync(f, bytes);
  return f;
}

t.test('each section appended after the image reads back byte for byte', async (t) => {
  const exe = file(t, Buffer.concat([image, executableTail([cache, addon, object])]));
  t.ok(readTailSection(exe, tailSection(0, cache))?.equals(cache), 'the code cache');
  t.ok(readTailSection(exe, tailSection(1, addon))?.equals(addon), 'the addon');
  t.ok(readTailSection(exe, tailSection(2, object))?.equals(object), 'the BPF object');
  const empty = file(t, Buffer.concat([image, executableTail([Buffer.alloc(0), addon])]));
  t.same(readTailSection(empty, tailSection(0, Buffer.alloc(0))), Buffer.alloc(0), 'an empty section (arm64 has no cache)');
  t.ok(readTailSection(empty, tailSection(1, addon))?.equals(addon));
});

t.test('anything but the tail the build made reads as missing', async (t) => {
  const exe = file(t, Buffer.concat([image, executableTail([cache, addon])]));
  t.equal(readTailSection(exe, { ...tailSection(1, addon), length: addon.length + 1 }), undefined, 'another length');
  t.equal(readTailSection(exe, { ...tailSection(1, addon), magic: 'PLTAIL99' }), undefined, 'another magic');
  t.equal(readTailSection(exe, tailSection(2, object)), undefined, 'a section the tail does not have');
  t.equal(readTailSection(file(t, image), tailSection(0, cache)), undefined, 'no tail (plain node)');
  const cut = executableTail([cache, addon]).subarray(100);
  t.equal(readTailSection(file(t, cut), tailSection(0, cache)), undefined, 'shorter than its sections');
  t.equal(readTailSection(file(t, Buffer.from('x')), tailSection(0, cache)), undefined, 'shorter than the trailer');
  t.equal(readTailSection(path.join(os.tmpdir(), 'pl-tail-absent', 'podlink'), tailSection(0, cache)), undefined, 'no file');
});

t.test('under plain node, the tail beside the bundle', async (t) => {
  const entry = file(t, Buffer.from('// the bundle'), 'podlink.cjs');
  fs.writeFileSync(`${entry}.tail`, executableTail([cache, addon]));
  t.ok(embeddedSection(tailSection(1, addon), entry)?.equals(addon), '/proc/self/exe (node) has none: <entry>.tail has it');
  t.ok(requiredSection(tailSection(1, addon), entry, 'native addon').equals(addon));
  t.throws(
    () => requiredSection(tailSection(2, object), entry, 'BPF object'),
    /the BPF object appended to this executable is missing or damaged/,
  );
});
