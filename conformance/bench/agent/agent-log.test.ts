import t from 'tap';
import { parseLog, parseProcStatCpuMs, parseProcStatus, parseSchedstat, startupMilestones } from './agent-log.js';

const start = Date.parse('2026-12-05T01:00:00.000Z');
const LOG = [
  '{"time":"2026-12-05T01:00:00.250Z","level":"info","msg":"podlink agent on node self: nodes from /k","bpfRoot":"/x"}',
  'not json: a stray line',
  '{"time":"2026-12-05T01:00:00.600Z","level":"info","msg":"kube: listed nodes","nodes":5001,"pages":11,"ms":340}',
  '{"time":"2026-12-05T01:00:02.100Z","level":"info","msg":"route add 10.128.1.0/24 via 10.80.0.1","node":"node-00001"}',
  '{"time":"2026-12-05T01:00:02.180Z","level":"error","msg":"route 10.128.2.0/24: File exists"}',
  '{"time":"2026-12-05T01:00:02.200Z","level":"info","msg":"route add fd00:244:1::/64 via fd00:80::1","node":"node-00001"}',
  '{"time":"2026-12-05T01:00:09.000Z","level":"info","msg":"route add 10.128.9.0/24 via 10.80.0.9","node":"node-00009"}',
  '',
].join('\n');

t.test('the start-up milestones relative to the spawn, up to a cut-off', async (t) => {
  const { lines, unparsed } = parseLog(LOG);
  t.equal(lines.length, 6);
  t.equal(unparsed, 1);
  t.same(lines[1]!.fields, { nodes: 5001, pages: 11, ms: 340 });
  const m = startupMilestones(lines, start, 5000);
  t.same(m, {
    routeAdds: 2, errors: ['route 10.128.2.0/24: File exists'], firstLine: 250, listed: 600, listMs: 340, listPages: 11, listNodes: 5001,
    firstRouteAdd: 2100, lastRouteAdd: 2200,
  });
  t.equal(startupMilestones(lines, start).routeAdds, 3, 'no cut-off: the later change counts too');
  t.same(startupMilestones([], start), { routeAdds: 0, errors: [] });
});

t.test('/proc parsers', async (t) => {
  const status = 'Name:\tpodlink\nVmPeak:\t  900000 kB\nVmHWM:\t  153600 kB\nVmRSS:\t  102400 kB\nRssAnon:\t   71680 kB\nRssFile:\t   30720 kB\n';
  t.same(parseProcStatus(status), { hwmMiB: 150, rssMiB: 100, anonMiB: 70, fileMiB: 30 });
  t.same(parseProcStatus('Name:\tkthread\n'), { hwmMiB: undefined, rssMiB: undefined, anonMiB: undefined, fileMiB: undefined });
  // comm with a space and a parenthesis; utime 150, stime 50 ticks
  const stat = '4242 (pod link) x) S 1 4242 4242 0 -1 4194560 1 0 0 0 150 50 0 0 20 0 11 0 100 1 1';
  t.equal(parseProcStatCpuMs(stat), 2000);
  t.equal(parseProcStatCpuMs('garbage'), undefined);
  t.same(parseSchedstat('172551869 318756784 671\n'), { cpuMs: 172.551869, waitMs: 318.756784 });
  t.equal(parseSchedstat(''), undefined);
});
