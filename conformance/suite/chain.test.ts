// Conformance in chains, driven by cnitool (libcni) inside the node netns: podlink first, then the
// reference portmap, bandwidth, tuning and loopback plugins; podlink after another interface plugin
// (testdata/fake-first.sh); CHECK and DEL of whole chains; DEL after the sandbox is gone.
import t, { type Test } from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { diffSnapshots, snapshot } from '../lib/exec-driver.js';
import { Chain, containerIdFor, pluginVersions } from './lib/cnitool.js';
import { foreignPrevResult, hostIfName, leftoverProblems, passthroughProblems } from './lib/checks.js';
import { atLeast, bed, conformanceCase, findCnitool, modes, narrowed, VERSION_SUBSET, type Axis, type Testbed } from './lib/suite.js';

const cnitool = findCnitool();
const PYTHON = '/usr/bin/python3';
const havePython = fs.existsSync(PYTHON);
const HOST_PORT = 18080;

/** The versions libcni and the reference plugins share with podlink. */
function chainVersions(): Axis[] {
  const ref = pluginVersions('portmap');
  return ['0.3.1', '0.4.0', '1.0.0'].map((v) => narrowed({ value: v, skip: ref.includes(v) ? undefined : `the reference plugins in this CNI_PATH do not accept ${v}` }, 'PODLINK_SUITE_VERSIONS', VERSION_SUBSET));
}

function chainFor(st: Test, tag: string): { b: Testbed; chain: Chain; pod: string; ns: string } {
  const b = bed(st, tag);
  const chain = new Chain(b, cnitool.path!);
  const pod = b.pod('a');
  return { b, chain, pod, ns: `/run/netns/${pod}` };
}

function toolOk(st: Test, r: { code: number; stdout: string; stderr: string }, what: string): boolean {
  return st.equal(r.code, 0, `${what} exits 0${r.code ? `: ${r.stderr.trim()} ${r.stdout.trim()}` : ''}`);
}

type Snap = ReturnType<typeof snapshot>;

/** The pod netns without lo: bringing a pod's lo up is the loopback plugin's job (and podlink's ADD
 *  does it too); the kernel keeps 127.0.0.1 once lo was up, so no DEL can restore a never-up lo. */
function withoutPodLo(s: Snap, node: string): Snap['netns'] {
  const out: Snap['netns'] = {};
  for (const [name, ns] of Object.entries(s.netns)) {
    if (!ns || name === node) {
      out[name] = ns;
      continue;
    }
    const notLo = (e: unknown) => {
      const o = e as { ifname?: string; dev?: string };
      return o.ifname !== 'lo' && o.dev !== 'lo';
    };
    out[name] = { links: ns.links.filter(notLo), addrs: ns.addrs.filter(notLo), routes4: ns.routes4.filter(notLo), routes6: ns.routes6.filter(notLo), neigh: ns.neigh.filter(notLo) };
  }
  return out;
}

/** Nothing of the attachment is left: node netns exactly and pod netns (but lo) as before ADD, IPAM,
 *  records, pins, cache. */
function nothingLeft(st: Test, b: Testbed, chain: Chain, net: string, before: Snap, pods: string[]): void {
  const after = snapshot(Object.keys(before.netns));
  st.strictSame(diffSnapshots(withoutPodLo(before, b.node), withoutPodLo(after, b.node)), [], 'node netns, and pod netns but lo: links, addresses, routes, neighbours as before ADD');
  st.strictSame(chain.ipam(net), [], 'no IPAM reservations');
  st.strictSame(leftoverProblems(b, pods), [], 'no podlink links, records or pins');
  st.strictSame(chain.cached(), [], 'libcni cache empty');
}

function natRules(b: Testbed): string {
  return ['iptables', 'ip6tables'].map((x) => b.exec(b.node, [x, '-t', 'nat', '-S']).stdout).join('\n');
}

function startListener(b: Testbed, pod: string): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', pod, PYTHON, '-m', 'http.server', '80', '--bind', '0.0.0.0'], { cwd: b.dir, stdio: 'ignore' });
  return child;
}

async function waitListening(b: Testbed, pod: string): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (b.exec(pod, ['ss', '-Hltn', 'sport = :80']).stdout.trim()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function httpStatus(b: Testbed, url: string): string {
  const code = `import urllib.request\nprint(urllib.request.urlopen(${JSON.stringify(url)}, timeout=5).status)`;
  const r = b.exec(b.node, [PYTHON, '-c', code]);
  return r.status === 0 ? r.stdout.trim() : `error: ${r.stderr.trim().split('\n').pop()}`;
}

const noCnitool = cnitool.skip;
const PORTMAP_CAPS = { portMappings: [{ hostPort: HOST_PORT, containerPort: 80, protocol: 'tcp' }] };
const BW_CAPS = { bandwidth: { ingressRate: 1000000, ingressBurst: 100000, egressRate: 2000000, egressBurst: 200000 } };

for (const mode of modes()) {
  for (const version of chainVersions()) {
    const base = { mode, version, skip: noCnitool };

    conformanceCase(t, { ...base, items: ['§7.1', '§9.1'], section: '§7', title: `podlink → portmap: hostPort ${HOST_PORT} reaches a TCP listener in the pod from the node netns`, skip: noCnitool || (!havePython && `${PYTHON} missing`) }, async (st) => {
      const { b, chain, pod, ns } = chainFor(st, 'pm');
      chain.conflist('pmnet', version.value, [chain.podlink({}, mode.value, false), { type: 'portmap', capabilities: { portMappings: true }, snat: true }]);
      const add = chain.run('add', 'pmnet', ns, { capArgs: PORTMAP_CAPS });
      if (!toolOk(st, add, 'cnitool add')) return;
      const podIp = (add.json as { ips: { address: string }[] }).ips.map((i) => i.address.split('/')[0]!).find((a) => !a.includes(':'))!;
      const server = startListener(b, pod);
      st.teardown(() => void server.kill('SIGKILL'));
      st.ok(await waitListening(b, pod), 'listener up in the pod');
      st.equal(httpStatus(b, `http://${podIp}:80/`), '200', 'pod IP reachable from the node netns');
      st.equal(httpStatus(b, `http://10.0.0.1:${HOST_PORT}/`), '200', `node address 10.0.0.1:${HOST_PORT} forwards to the pod`);
      server.kill('SIGKILL');
      toolOk(st, chain.run('del', 'pmnet', ns, { capArgs: PORTMAP_CAPS }), 'cnitool del');
      st.notMatch(natRules(b), containerIdFor(ns), 'portmap removed its per-container NAT rules');
      st.strictSame(leftoverProblems(b, [pod]), [], 'nothing left');
    });

    conformanceCase(t, { ...base, items: ['§7.1', '§9.1'], section: '§7', title: 'podlink → bandwidth: a tbf qdisc on the host-side device and an ingress qdisc appear', skip: noCnitool || (mode.value !== 'veth' && 'bandwidth 1.1.1 finds the host device through its veth peer index') }, (st) => {
      const { b, chain, ns } = chainFor(st, 'bw');
      chain.conflist('bwnet', version.value, [chain.podlink({}, mode.value), { type: 'bandwidth', capabilities: { bandwidth: true } }]);
      const add = chain.run('add', 'bwnet', ns, { capArgs: BW_CAPS });
      if (!toolOk(st, add, 'cnitool add')) return;
      const host = hostIfName({ interfaces: (add.json as { interfaces: { name: string; sandbox?: string }[] }).interfaces.filter((i) => i.name.startsWith('pl')) })!;
      const qd = JSON.parse(b.exec(b.node, ['tc', '-j', 'qdisc', 'show']).stdout || '[]') as { kind: string; dev: string; root?: boolean; options?: { rate?: number } }[];
      st.ok(qd.some((q) => q.dev === host && q.kind === 'tbf' && q.root && q.options?.rate === 125000), `tbf root qdisc at ${BW_CAPS.bandwidth.ingressRate} bit/s on ${host}`);
      st.ok(qd.some((q) => q.dev === host && q.kind === 'ingress'), `ingress qdisc on ${host}`);
      st.ok(qd.some((q) => q.dev !== host && q.dev !== 'lo' && q.kind === 'tbf' && q.options?.rate === 250000), 'egress tbf on the ifb device');
      toolOk(st, chain.run('del', 'bwnet', ns, { capArgs: BW_CAPS }), 'cnitool del');
      st.strictSame(b.nodeLinks(), [], 'host device and ifb gone');
    });

    conformanceCase(t, { ...base, items: ['§7.1'], section: '§7', title: 'podlink → tuning: a per-netns sysctl is set in the pod', skip: noCnitool }, (st) => {
      const { b, chain, pod, ns } = chainFor(st, 'tun');
      chain.conflist('tunnet', version.value, [chain.podlink({}, mode.value), { type: 'tuning', sysctl: { 'net.ipv4.conf.eth0.accept_local': '1', 'net.ipv4.conf.eth0.arp_ignore': '2' } }]);
      if (!toolOk(st, chain.run('add', 'tunnet', ns), 'cnitool add')) return;
      st.equal(b.exec(pod, ['cat', '/proc/sys/net/ipv4/conf/eth0/accept_local']).stdout.trim(), '1', 'accept_local=1 on eth0 in the pod');
      st.equal(b.exec(pod, ['cat', '/proc/sys/net/ipv4/conf/eth0/arp_ignore']).stdout.trim(), '2', 'arp_ignore=2 on eth0 in the pod');
      toolOk(st, chain.run('del', 'tunnet', ns), 'cnitool del');
      st.strictSame(leftoverProblems(b, [pod]), [], 'nothing left');
    });

    conformanceCase(t, { ...base, items: ['§7.1'], section: '§7', title: 'podlink → loopback: lo is up in the pod, and down again after DEL', skip: noCnitool }, (st) => {
      const { b, chain, pod, ns } = chainFor(st, 'lo');
      chain.conflist('lonet', version.value, [chain.podlink({}, mode.value), { type: 'loopback' }]);
      if (!toolOk(st, chain.run('add', 'lonet', ns), 'cnitool add')) return;
      const lo = JSON.parse(b.ip(pod, ['-j', 'link', 'show', 'lo']))[0] as { flags: string[] };
      st.ok(lo.flags.includes('UP'), 'lo is UP');
      st.equal(b.exec(pod, ['ping', '-c', '1', '-W', '2', '127.0.0.1']).status, 0, 'ping 127.0.0.1 in the pod');
      toolOk(st, chain.run('del', 'lonet', ns), 'cnitool del');
      st.strictSame(leftoverProblems(b, [pod]), [], 'nothing left');
    });

    conformanceCase(t, { ...base, items: ['§4 DEL.4', '§7.3', '§4 DEL.1', '§4 DEL.2'], section: '§4 DEL', title: 'the full chain (podlink, portmap, bandwidth, tuning, loopback): ADD, CHECK, DEL leaves nothing', skip: noCnitool || (mode.value !== 'veth' && 'bandwidth 1.1.1 finds the host device through its veth peer index') }, (st) => {
      const { b, chain, pod, ns } = chainFor(st, 'full');
      chain.conflist('fullnet', version.value, [
        // IPv4 only: portmap 1.1.1's CHECK looks for the IPv4 DNAT rules in ip6tables on dual-stack pods.
        chain.podlink({ capabilities: { portMappings: true } }, mode.value, false),
        { type: 'portmap', capabilities: { portMappings: true }, snat: true },
        { type: 'bandwidth', capabilities: { bandwidth: true } },
        { type: 'tuning', sysctl: { 'net.ipv4.conf.eth0.accept_local': '1' } },
        { type: 'loopback' },
      ]);
      const caps = { ...PORTMAP_CAPS, ...BW_CAPS };
      const before = snapshot([b.node, pod]);
      const add = chain.run('add', 'fullnet', ns, { capArgs: caps });
      if (!toolOk(st, add, 'cnitool add')) return;
      st.equal((add.json as { cniVersion?: string }).cniVersion, version.value, 'final result in the conflist version');
      if (atLeast(version.value, '0.4.0')) {
        const check = chain.run('check', 'fullnet', ns, { capArgs: caps });
        // portmap 1.1.1 CHECKs ip6tables even for an IPv4-only pod (containernetworking/plugins#819).
        if (check.code !== 0 && /portmap|could not check ipv6 dnat/.test(check.stderr) && /ipv6 dnat/.test(check.stderr)) st.pass('cnitool check', { skip: `portmap's own CHECK bug (containernetworking/plugins#819): ${check.stderr.trim()}` });
        else toolOk(st, check, 'cnitool check (every plugin gets the final result)');
      }
      toolOk(st, chain.run('del', 'fullnet', ns, { capArgs: caps }), 'cnitool del (reverse order)');
      st.notMatch(natRules(b), containerIdFor(ns), 'no per-container NAT rules');
      nothingLeft(st, b, chain, 'fullnet', before, [pod]);
      toolOk(st, chain.run('del', 'fullnet', ns, { capArgs: caps }), 'a second cnitool del');
    });

    if (atLeast(version.value, '0.4.0')) conformanceCase(t, { ...base, items: ['§7.3', '§4 CHECK.3', '§4 CHECK.7'], section: '§4 CHECK', title: 'cnitool check of podlink → bandwidth → tuning → loopback: podlink accepts the final result with later plugins\' changes', skip: noCnitool || (mode.value !== 'veth' && 'bandwidth 1.1.1 finds the host device through its veth peer index') }, (st) => {
      const { b, chain, pod, ns } = chainFor(st, 'chk');
      chain.conflist('chknet', version.value, [
        chain.podlink({}, mode.value),
        { type: 'bandwidth', capabilities: { bandwidth: true } },
        { type: 'tuning', sysctl: { 'net.ipv4.conf.eth0.accept_local': '1' } },
        { type: 'loopback' },
      ]);
      const before = snapshot([b.node, pod]);
      const add = chain.run('add', 'chknet', ns, { capArgs: BW_CAPS });
      if (!toolOk(st, add, 'cnitool add')) return;
      st.ok((add.json as { interfaces: { name: string }[] }).interfaces.length >= 3, 'the final result lists bandwidth\'s ifb too');
      toolOk(st, chain.run('check', 'chknet', ns, { capArgs: BW_CAPS }), 'cnitool check');
      toolOk(st, chain.run('del', 'chknet', ns, { capArgs: BW_CAPS }), 'cnitool del');
      nothingLeft(st, b, chain, 'chknet', before, [pod]);
    });

    conformanceCase(t, { ...base, items: ['§4 ADD.4', '§7.1', '§7.5'], section: '§7', title: 'fake-first → podlink: podlink keeps the first plugin\'s interface, IP, route and DNS; CHECK; DEL leaves nothing', skip: noCnitool }, (st) => {
      const { b, chain, pod, ns } = chainFor(st, 'ff');
      chain.conflist('ffnet', version.value, [{ type: 'fake-first' }, chain.podlink({}, mode.value)]);
      const before = snapshot([b.node, pod]);
      const add = chain.run('add', 'ffnet', ns);
      if (!toolOk(st, add, 'cnitool add')) return;
      const prev = foreignPrevResult(version.value, ns) as { interfaces: Record<string, unknown>[] };
      prev.interfaces = prev.interfaces.map(({ mac: _m, ...i }) => i);
      st.strictSame(passthroughProblems(prev, add.json), [], 'the first plugin\'s result survives in the final result');
      st.ok((add.json as { interfaces: { name: string }[] }).interfaces.some((i) => i.name === 'eth0'), 'podlink\'s eth0 is there too');
      if (atLeast(version.value, '0.4.0')) toolOk(st, chain.run('check', 'ffnet', ns), 'cnitool check');
      toolOk(st, chain.run('del', 'ffnet', ns), 'cnitool del');
      nothingLeft(st, b, chain, 'ffnet', before, [pod]);
    });
  }

  conformanceCase(t, { mode, version: { value: '1.0.0' }, skip: noCnitool, items: ['§4 DEL.2', '§2.5', '§10.2'], section: '§4 DEL', title: 'cnitool del of podlink → portmap after the sandbox netns is gone' }, (st) => {
    const { b, chain, pod, ns } = chainFor(st, 'gone');
    chain.conflist('gonenet', '1.0.0', [chain.podlink({}, mode.value, false), { type: 'portmap', capabilities: { portMappings: true } }]);
    if (!toolOk(st, chain.run('add', 'gonenet', ns, { capArgs: PORTMAP_CAPS }), 'cnitool add')) return;
    b.removePod(pod);
    toolOk(st, chain.run('del', 'gonenet', ns, { capArgs: PORTMAP_CAPS }), 'cnitool del with the netns path gone');
    st.strictSame(chain.ipam('gonenet'), [], 'IP released');
    st.strictSame(leftoverProblems(b), [], 'no podlink links, records or pins');
    st.strictSame(chain.cached(), [], 'libcni cache empty');
    st.notMatch(natRules(b), containerIdFor(ns), 'no per-container NAT rules');
  });
}
