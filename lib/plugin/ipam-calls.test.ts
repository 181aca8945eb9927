// What the delegated IPAM plugin reads on stdin: the runtime's own bytes, or the re-encoded retry at 1.0.0.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t, { type Test } from 'tap';
import { FAKE_IPAM_DIR, fakeIpamEnv } from '../../conformance/support/fake-ipam.js';
import { parseNetConf } from '../cni/netconf.js';
import { ipamDel, ipamStatus, startIpamAdd, startIpamCheck } from './ipam-calls.js';
import type { Request } from './types.js';

// The plugin is started by lib/sys's addon, which installs itself into root's /run/podlink/lib: an
// unprivileged run gets a private directory instead.
if (process.geteuid?.() !== 0 && !process.env.PODLINK_LIB_DIR) {
  const lib = (process.env.PODLINK_LIB_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'podlink-ipam-calls-lib-')));
  t.teardown(() => fs.rmSync(lib, { recursive: true, force: true }));
}

// Odd spacing, key order and escapes: a re-encoding would change every one of them.
const TEXT = `{ "type":"podlink",  "cniVersion" : "1.0.0",
  "name": "podnet", "ipam": {"type": "fake-ipam", "note": "caf\\u00e9 \\/ x"}, "zzz": [1, 2.50, 1e3] }
`;

function request(t: Test, text: string, mode = 'ok'): { req: Request; stdins: () => string[] } {
  const dir = t.testdir({ store: {} });
  const dump = path.join(dir, 'dump.jsonl');
  const c = parseNetConf(text);
  const req = {
    conf: { raw: c.raw, rawText: c.rawText, ipamType: 'fake-ipam' },
    env: {
      cniPath: [FAKE_IPAM_DIR],
      vars: {
        PATH: process.env.PATH,
        CNI_COMMAND: 'ADD',
        CNI_CONTAINERID: 'c1',
        CNI_NETNS: '/run/netns/x',
        CNI_IFNAME: 'eth0',
        CNI_PATH: FAKE_IPAM_DIR,
        ...fakeIpamEnv({ dump, mode, store: path.join(dir, 'store'), commands: ['ADD', 'DEL', 'CHECK', 'STATUS'] }),
      },
    },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  } as unknown as Request;
  const stdins = () =>
    fs
      .readFileSync(dump, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { stdin: string }).stdin);
  return { req, stdins };
}

t.test("every IPAM command gets the runtime's config text byte for byte", async (t) => {
  const { req, stdins } = request(t, TEXT);
  startIpamAdd(req).wait();
  startIpamCheck(req).wait();
  ipamStatus(req);
  ipamDel(req);
  t.same(stdins(), [TEXT, TEXT, TEXT, TEXT]);
  t.not(JSON.stringify(JSON.parse(TEXT)), TEXT, 'a re-encoding would differ');
});

t.test('the retry of a plugin that refuses 1.1.0 gets the config re-encoded at 1.0.0', async (t) => {
  const text = TEXT.replace('"1.0.0"', '"1.1.0"');
  const error = JSON.stringify({
    code: 1,
    msg: 'incompatible CNI versions',
    details: 'config is "1.1.0", plugin supports ["0.1.0" … "1.0.0"]',
  });
  const { req, stdins } = request(t, text, 'error');
  req.env.vars.FAKE_IPAM_ERROR = error;
  t.throws(() => startIpamCheck(req).wait(), { code: 1 });
  t.same(stdins(), [text, JSON.stringify({ ...JSON.parse(text), cniVersion: '1.0.0' })]);
});
