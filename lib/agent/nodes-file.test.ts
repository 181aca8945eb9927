import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import type { SourceNode } from './node.js';
import { parseNodesFile, watchNodesFile } from './nodes-file.js';
import type { SourceStatus } from './status-file.js';

t.test('parseNodesFile: a list or {nodes}, unusable entries reported, bad fields kept for the agent to reject', async (t) => {
  const { nodes, problems } = parseNodesFile(
    JSON.stringify([
      { name: 'a', podCIDRs: ['10.244.1.0/24'], addresses: ['10.0.0.1'] },
      { name: 'b', podCIDRs: 'not a list', addresses: [42] },
      { name: 'a', podCIDRs: [], addresses: [] },
      { podCIDRs: ['10.244.3.0/24'] },
      'junk',
      { name: 'Bad_Name' },
    ]),
  );
  t.same([...nodes.keys()], ['a', 'b']);
  t.same(nodes.get('b'), { name: 'b', podCIDRs: [], addresses: ['42'] }, 'non-strings become text the agent rejects as malformed');
  t.equal(problems.length, 4);
  t.match(problems.join('\n'), /node a is listed twice/);
  t.same([...parseNodesFile('{"nodes": [{"name": "c", "podCIDRs": [], "addresses": []}]}').nodes.keys()], ['c']);
  t.throws(() => parseNodesFile('{"nodes": 1}'), /expected a JSON list/);
  t.throws(() => parseNodesFile('[oops'));
});

t.test('watchNodesFile: replaced files are re-read, a bad file keeps the last good list', async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, 'nodes.json');
  const write = (text: string) => {
    fs.writeFileSync(`${file}.tmp`, text);
    fs.renameSync(`${file}.tmp`, file);
  };
  write(JSON.stringify([{ name: 'a', podCIDRs: ['10.244.1.0/24'], addresses: ['10.0.0.1'] }]));
  const seen: string[][] = [];
  let status: SourceStatus | undefined;
  const src = watchNodesFile(
    file,
    {
      onNodes: (n: ReadonlyMap<string, SourceNode>) => seen.push([...n.keys()]),
      onStatus: (s) => (status = s),
      log: () => {},
    },
    50,
  );
  t.teardown(() => src.stop());
  const until = async (f: () => boolean) => {
    for (let i = 0; i < 100 && !f(); i++) await new Promise((r) => setTimeout(r, 20));
    return f();
  };
  t.ok(await until(() => seen.length === 1), 'read at start');
  t.ok(status?.synced && status.connected);
  write(
    JSON.stringify([
      { name: 'a', podCIDRs: [], addresses: [] },
      { name: 'b', podCIDRs: [], addresses: [] },
    ]),
  );
  t.ok(await until(() => seen.length === 2), 'a replaced file is read again');
  t.same(seen[1], ['a', 'b']);
  write('[not json');
  t.ok(await until(() => status?.connected === false), 'a file that does not parse: not connected');
  t.match(status?.lastError, /keeping the last good list/);
  t.ok(status?.disconnectedSince);
  t.equal(seen.length, 2, 'no new node set from a bad file');
  fs.rmSync(file);
  t.ok(await until(() => /read .*ENOENT/.test(String(status?.lastError))), 'a missing file is an error too');
  write(JSON.stringify([{ name: 'c', podCIDRs: [], addresses: [] }]));
  t.ok(await until(() => seen.length === 3 && status?.connected === true), 'recovers');
});
