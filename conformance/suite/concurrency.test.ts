// Conformance §1.7: concurrent executions for different containers. Eight ADDs start at once (the
// only place where the suite runs more than a few plugins at a time), then eight CHECKs, then eight
// DELs; shared state (IPAM, endpoint records, BPF maps) must come out consistent. run.sh runs this
// file on its own, after the others.
import t from 'tap';
import { hostIfName, leftoverProblems, podStateProblems, resultAddresses, resultShapeProblems, stdoutProblems } from './lib/checks.js';
import { bed, CNI_PATH, conformanceCase, modes, runPluginAsync } from './lib/suite.js';

const N = 8;

for (const mode of modes()) {
  conformanceCase(t, { items: ['§1.7', '§8.7'], section: '§1', title: `${N} concurrent ADDs, CHECKs and DELs for different containers`, mode, version: { value: '1.0.0' }, timeout: 300_000 }, async (st) => {
    const b = bed(st, 'conc');
    const conf = b.conf({ mode: mode.value });
    const pods = Array.from({ length: N }, (_, i) => b.pod(`c${i}`));
    const run = (command: string, i: number, stdin: object = conf) =>
      runPluginAsync({ plugin: b.wrapper, command, containerId: `conc-${i}`, netns: `/run/netns/${pods[i]}`, ifname: 'eth0', cniPath: CNI_PATH, stdin, timeoutMs: 120_000 });

    const adds = await Promise.all(pods.map((_, i) => run('ADD', i)));
    adds.forEach((r, i) => {
      st.equal(r.code, 0, `ADD conc-${i} exits 0${r.code ? `: ${r.stdout} ${r.stderr}` : ''}`);
      st.strictSame(stdoutProblems(r, `ADD conc-${i}`, 'json'), []);
      st.strictSame(resultShapeProblems(r.json, '1.0.0', { netns: `/run/netns/${pods[i]}`, ifname: 'eth0', ipv6: true }), [], `conc-${i} result shape`);
      st.strictSame(podStateProblems(b, pods[i]!, 'eth0', r.json), [], `conc-${i} pod state`);
    });
    const addrs = adds.flatMap((r) => resultAddresses(r.json));
    st.equal(new Set(addrs).size, addrs.length, 'every address is unique');
    st.equal(addrs.length, 2 * N, 'an IPv4 and an IPv6 address per pod');
    st.equal(new Set(adds.map((r) => hostIfName(r.json))).size, N, 'distinct host interfaces');
    st.equal(b.records().length, N, `${N} endpoint records`);
    st.equal(b.ipamAllocations().length, 2 * N, `${2 * N} IPAM reservations`);

    const checks = await Promise.all(pods.map((_, i) => run('CHECK', i, { ...conf, prevResult: adds[i]!.json })));
    checks.forEach((r, i) => st.equal(r.code, 0, `CHECK conc-${i} exits 0${r.code ? `: ${r.stdout}` : ''}`));

    const dels = await Promise.all(pods.map((_, i) => run('DEL', i)));
    dels.forEach((r, i) => {
      st.equal(r.code, 0, `DEL conc-${i} exits 0${r.code ? `: ${r.stdout} ${r.stderr}` : ''}`);
      st.equal(r.stdout, '', `DEL conc-${i} prints nothing`);
    });
    st.strictSame(leftoverProblems(b, pods), [], 'nothing left');
  });
}
