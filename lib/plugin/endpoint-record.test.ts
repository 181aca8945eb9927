import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { encode as cborxEncode } from 'cbor-x';
import { encodeCbor } from '../codec/index.js';
import { listRecords, readRecord, recordPath, RecordError, writeRecord, type EndpointRecord } from './endpoint-record.js';

const record: EndpointRecord = {
  v: 1,
  state: 'ready',
  network: 'podlink',
  containerId: 'f'.repeat(64),
  ifname: 'eth0',
  netns: '/var/run/netns/cni-0001',
  mode: 'veth',
  hostIfName: 'pl0123456789ab',
  hostIfindex: 41,
  podIfindex: 2,
  hostMac: '02:50:4c:00:00:01',
  podMac: '02:50:4c:00:00:02',
  ips: ['10.244.1.2/32', 'fd00:244::2/128'],
  ipamType: 'host-local',
  pins: ['/sys/fs/bpf/podlink/endpoints/pl0123456789ab/from-pod'],
  createdAt: '2026-12-06T20:00:00.000Z',
};

t.test('a record written is read back the same, mode 0600', async (t) => {
  const file = recordPath(t.testdir(), 'c1', 'eth0');
  writeRecord(file, record);
  t.same(readRecord(file), record);
  t.equal(fs.statSync(file).mode & 0o777, 0o600);
  t.same(fs.readdirSync(path.dirname(file)), ['c1:eth0.cbor'], 'no temporary file left');
  t.equal(readRecord(recordPath(path.dirname(path.dirname(file)), 'c2', 'eth0')), undefined, 'no record: undefined');
});

t.test('records written by earlier versions (cbor-x) read back the same', async (t) => {
  const file = recordPath(t.testdir(), 'c1', 'eth0');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // cbor-x wrote absent optional fields as CBOR undefined (0xf7).
  const creating = { ...record, state: 'creating', hostIfindex: undefined, podIfindex: undefined, ips: [], pins: [] };
  for (const r of [record, creating]) {
    fs.writeFileSync(file, cborxEncode(r) as Buffer);
    t.same(readRecord(file), r, r.state);
  }
});

t.test('a damaged record is a RecordError naming the file and what is wrong', async (t) => {
  const file = recordPath(t.testdir(), 'c1', 'eth0');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const whole = cborxEncode(record) as Buffer;
  const cases: [string, Buffer, RegExp][] = [
    ['empty', Buffer.alloc(0), /is not valid CBOR: truncated/],
    ['cut short', whole.subarray(0, whole.length - 5), /is not valid CBOR: a length of 24 with 19 bytes left at byte \d+/],
    ['text', Buffer.from('{"v":1}'), /is not valid CBOR: .* at byte/],
    ['trailing bytes', Buffer.concat([whole, Buffer.from([0])]), /is not valid CBOR: 1 bytes after the item/],
    ['a newer version', cborxEncode({ ...record, v: 2 }) as Buffer, /is invalid: version 2/],
    ['an unknown mode', cborxEncode({ ...record, mode: 'macvlan' }) as Buffer, /is invalid: mode/],
    ['a foreign host interface', cborxEncode({ ...record, hostIfName: 'eth0' }) as Buffer, /is invalid: hostIfName/],
    ['an ifindex that is text', cborxEncode({ ...record, hostIfindex: '41' }) as Buffer, /is invalid: hostIfindex/],
    ['ips as bytes', encodeCbor({ ...record, ips: [new Uint8Array([10, 0, 0, 1])] }), /is invalid: ips/],
    ['an array', cborxEncode([record]) as Buffer, /is invalid: version undefined/],
    [
      'a typed array (cbor-x tags them)',
      cborxEncode({ ...record, ips: new Uint8Array([10, 0, 0, 1]) }) as Buffer,
      /is not valid CBOR: tag 64/,
    ],
  ];
  for (const [what, bytes, re] of cases) {
    fs.writeFileSync(file, bytes);
    t.throws(() => readRecord(file), { name: 'RecordError', message: re }, what);
    try {
      readRecord(file);
    } catch (e) {
      t.ok(e instanceof RecordError && e.message.includes(file) && e.hint, `${what}: names ${file}, with a hint`);
    }
  }
});

t.test('listRecords reports a damaged record beside the good ones instead of throwing', async (t) => {
  const stateDir = t.testdir();
  writeRecord(recordPath(stateDir, 'a', 'eth0'), record);
  writeRecord(recordPath(stateDir, 'b', 'eth0'), { ...record, containerId: 'b' });
  fs.writeFileSync(recordPath(stateDir, 'c', 'eth0'), Buffer.from([0xa1]));
  fs.writeFileSync(path.join(stateDir, 'endpoints', 'notes.txt'), 'not a record');
  const all = listRecords(stateDir);
  t.same(
    all.map((r) => [path.basename(r.file), r.record?.containerId, r.error?.name]),
    [
      ['a:eth0.cbor', record.containerId, undefined],
      ['b:eth0.cbor', 'b', undefined],
      ['c:eth0.cbor', undefined, 'RecordError'],
    ],
  );
});
