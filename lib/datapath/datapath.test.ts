// Privileged, veth + tcx (this host): two pod netns behind veth pairs in a "node" netns, forwarding
// off so only the BPF fast path can carry pod-to-pod traffic. Covers loadAndPin, attach/check/detach,
// counters, anti-spoofing, NATed flows kept on the stack, fib redirect + from-uplink, a deleted device
// (defunct links), and concurrent loaders. Every netns, link and pin is removed in teardown.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import t from 'tap';
import * as BPF from '../bpf/consts.js';
import { attachTcx, BpfLink, BpfProgram, queryHook } from '../bpf/index.js';
import {
  buildTopology,
  clusterIpDnat,
  createNetns,
  fetchHello,
  have,
  helloServer,
  inNetns,
  isRoot,
  podEndpoint,
  privateBpffs,
  sh,
  type TestPod,
} from '../../conformance/support/index.js';
import { nativeSys } from '../sys/index.js';
import {
  attachEndpoint,
  attachUplink,
  checkEndpoint,
  datapathObject,
  datapathProblems,
  decodeEndpointInfo,
  detachEndpoint,
  detachUplink,
  encodeEndpointKey,
  isLoaded,
  loadAndPin,
  openDatapathMaps,
  pinPaths,
  readCounters,
  type EndpointSpec,
} from './index.js';

const skip = (!isRoot && 'needs root') || (!have('ping') && 'needs ping');

const repo = new URL('../../', import.meta.url).pathname;

t.test('datapath: veth pods on tcx', { skip }, async (t) => {
  const sys = nativeSys();
  const prefix = `podlink-bpftest-${process.pid}`;
  const fsm = privateBpffs('podlink-dptest');
  const root = `${fsm.dir}/podlink`;
  const topo = buildTopology(sys, prefix, 'veth', ['10.77.0.1', '10.77.0.2']);
  const remote = createNetns(sys, `${prefix}-remote`);
  t.teardown(() => {
    remote.remove();
    topo.remove();
    fsm.remove();
  });
  const [p1, p2] = topo.pods as [TestPod, TestPod];
  const node = topo.node;
  const deps = { sys };
  const inNode = <T>(fn: () => T): T => inNetns(sys, node, fn);
  const spec = (p: TestPod, over: Partial<EndpointSpec> = {}) =>
    podEndpoint(p, root, { clusterCIDRs: ['10.77.0.0/16', '10.78.0.0/16'], ...over });
  const counters = (ifindex: number) => readCounters(sys, root, ifindex);
  const hookProgs = (ifindex: number, type: number) => inNode(() => queryHook(sys, ifindex, type).programIds);

  t.test('attach with loaded: true trusts its caller: on a root with nothing pinned it fails and loads nothing', async (t) => {
    t.throws(() => attachEndpoint({ sys, loaded: true }, spec(p1)), /ENOENT|No such file/);
    t.equal(isLoaded(root), false);
  });

  t.test('loadAndPin refuses a root that is not on bpffs, with a hint, and leaves nothing there', async (t) => {
    const dir = t.testdir({});
    const notBpffs = `${dir}/podlink`;
    t.throws(() => loadAndPin(sys, notBpffs), {
      name: 'BpfError',
      step: `load datapath into ${notBpffs}`,
      message: new RegExp(`${dir} is not on a bpffs mount`),
      hint: /mount bpffs on a directory that holds .*or use a bpfRoot under \/sys\/fs\/bpf/,
    });
    t.same(fs.readdirSync(dir), []);
  });

  t.test('loadAndPin loads once, then reuses the pins', async (t) => {
    const first = loadAndPin(sys, root);
    t.same([first.createdMaps, first.loadedPrograms], [true, true]);
    const second = loadAndPin(sys, root);
    t.same([second.createdMaps, second.loadedPrograms], [false, false]);
    t.equal(isLoaded(root), true);
    t.same(datapathProblems(sys, root), []);
    const p = pinPaths(root);
    t.ok(fs.existsSync(p.programPin(first.objectHash, 'from-pod')));
    t.ok(fs.existsSync(p.mapPin(first.layoutHash, 'pl_endpoints')));
  });

  t.test('no forwarding and no programs: pods cannot reach each other', async (t) => {
    t.equal(p1.ping(p2.ip, { count: 1 }), false);
  });

  t.test('attach: links on tcx ingress/egress of the host veth, map entries, CHECK clean, idempotent', async (t) => {
    const r1 = inNode(() => attachEndpoint(deps, spec(p1)));
    inNode(() => attachEndpoint(deps, spec(p2)));
    t.same(r1.pins, [pinPaths(root).linkPin(p1.hostIf, 'from-pod'), pinPaths(root).linkPin(p1.hostIf, 'to-pod')]);
    for (const p of [p1, p2]) {
      t.same(
        inNode(() => checkEndpoint(deps, spec(p))),
        [],
        `${p.hostIf}: CHECK finds nothing wrong`,
      );
      t.equal(hookProgs(p.hostIfindex, BPF.BPF_TCX_INGRESS).length, 1, `${p.hostIf}: one program on tcx ingress`);
      t.equal(hookProgs(p.hostIfindex, BPF.BPF_TCX_EGRESS).length, 1, `${p.hostIf}: one program on tcx egress`);
    }
    const before = BpfLink.openPinned(sys, r1.pins[0]!);
    const id = before.info().id;
    before.close();
    inNode(() => attachEndpoint(deps, spec(p1)));
    const after = BpfLink.openPinned(sys, r1.pins[0]!);
    t.equal(after.info().id, id, 'attaching again keeps the same link');
    after.close();
    t.equal(hookProgs(p1.hostIfindex, BPF.BPF_TCX_INGRESS).length, 1, 'still exactly one program');
    if (have('bpftool')) {
      const links = JSON.parse(sh('bpftool', ['-j', 'link', 'show'])) as { type: string | number; prog_id: number }[];
      const fromPod = inNode(() => queryHook(sys, p1.hostIfindex, BPF.BPF_TCX_INGRESS).programIds[0]);
      t.ok(
        links.some((l) => l.prog_id === fromPod && (l.type === 'tcx' || l.type === BPF.BPF_LINK_TYPE_TCX)),
        'bpftool link lists the tcx link',
      );
    }
  });

  t.test('attach in two parts, as ADD does: the map entries with the from-pod hook, then the to-pod hook alone', async (t) => {
    const pins = pinPaths(root);
    inNode(() => detachEndpoint(deps, { bpfRoot: root, hostIfName: p2.hostIf, hostIfindex: p2.hostIfindex, ips: [p2.ip] }));
    t.equal(hookProgs(p2.hostIfindex, BPF.BPF_TCX_EGRESS).length, 0, 'detached first');
    const from = inNode(() => attachEndpoint(deps, spec(p2), 'from-pod'));
    t.same(from.pins, [pins.linkPin(p2.hostIf, 'from-pod')]);
    t.equal(hookProgs(p2.hostIfindex, BPF.BPF_TCX_INGRESS).length, 1, 'from-pod on tcx ingress');
    t.equal(hookProgs(p2.hostIfindex, BPF.BPF_TCX_EGRESS).length, 0, 'nothing on tcx egress yet');
    t.same(
      inNode(() => checkEndpoint(deps, spec(p2))),
      [`to-pod: no link pinned at ${pins.linkPin(p2.hostIf, 'to-pod')}`],
      'the map entries are all in place: only the to-pod link is missing',
    );
    const to = inNode(() => attachEndpoint(deps, spec(p2), 'to-pod'));
    t.same(to.pins, [pins.linkPin(p2.hostIf, 'to-pod')]);
    t.same(
      to.done,
      [`create tcx egress link running pl_to_pod on ${p2.hostIf} (ifindex ${p2.hostIfindex}), pin at ${to.pins[0]}`],
      'no map writes',
    );
    t.equal(hookProgs(p2.hostIfindex, BPF.BPF_TCX_EGRESS).length, 1, 'to-pod on tcx egress');
    t.same(
      inNode(() => checkEndpoint(deps, spec(p2))),
      [],
      'CHECK finds nothing wrong',
    );
  });

  t.test('CHECK names a second podlink program on the hook and a link running the wrong program', async (t) => {
    const { objectHash } = loadAndPin(sys, root);
    const prog = (role: 'from-pod' | 'to-pod' | 'from-uplink') => BpfProgram.openPinned(sys, pinPaths(root).programPin(objectHash, role));
    const uplinkProg = prog('from-uplink');
    const extra = inNode(() => attachTcx(sys, { program: uplinkProg, ifindex: p1.hostIfindex, direction: 'ingress' }));
    try {
      t.same(
        inNode(() => checkEndpoint(deps, spec(p1))),
        ['from-pod: 2 podlink programs on the hook, want 1'],
        'a foreign pl_ program beside ours',
      );
    } finally {
      extra.close(); // an unpinned tcx link goes with its last fd
      uplinkProg.close();
    }
    t.same(
      inNode(() => checkEndpoint(deps, spec(p1))),
      [],
      'clean again',
    );

    const link = BpfLink.openPinned(sys, pinPaths(root).linkPin(p1.hostIf, 'from-pod'));
    const [toPod, fromPod] = [prog('to-pod'), prog('from-pod')];
    t.teardown(() => {
      try {
        link.update(fromPod);
      } finally {
        for (const x of [link, toPod, fromPod]) x.close();
      }
    });
    link.update(toPod);
    t.same(
      inNode(() => checkEndpoint(deps, spec(p1))),
      ['from-pod: link runs pl_to_pod, want pl_from_pod'],
      'our link, the wrong program',
    );
  });

  t.test('fast path: pod to pod with forwarding off, counted as redirects', async (t) => {
    t.equal(p1.ping(p2.ip), true, 'ping p1 → p2');
    const c1 = counters(p1.hostIfindex);
    const c2 = counters(p2.hostIfindex);
    t.ok(c1.redirectLocal.packets >= 3n, `p1 redirects: ${c1.redirectLocal.packets}`);
    t.ok(c2.redirectLocal.packets >= 3n, `p2 redirects (replies): ${c2.redirectLocal.packets}`);
    t.ok(c1.fromPod.packets >= c1.redirectLocal.packets);
    t.ok(c1.redirectLocal.bytes >= 3n * 84n, 'bytes counted');
    t.equal(c1.dropSpoofIp.packets, 0n);
  });

  t.test("anti-spoof: a source IP that is not the pod's is dropped and counted", async (t) => {
    p1.ns.ip('addr', 'add', '10.77.0.99/32', 'dev', 'eth0');
    const before = counters(p1.hostIfindex).dropSpoofIp.packets;
    t.equal(p1.ping(p2.ip, { count: 2, src: '10.77.0.99' }), false);
    t.ok(counters(p1.hostIfindex).dropSpoofIp.packets - before >= 2n, 'spoofed-IP drops rose');
    p1.ns.ip('addr', 'del', '10.77.0.99/32', 'dev', 'eth0');
    t.equal(p1.ping(p2.ip, { count: 1 }), true, 'the real address still works');
  });

  t.test("anti-spoof: a source MAC that is not the pod's is dropped and counted (L2)", async (t) => {
    p1.ns.ip('link', 'set', 'eth0', 'address', '02:00:00:00:77:99');
    const before = counters(p1.hostIfindex).dropSpoofMac.packets;
    t.equal(p1.ping(p2.ip, { count: 2 }), false);
    t.ok(counters(p1.hostIfindex).dropSpoofMac.packets - before >= 2n, 'spoofed-MAC drops rose');
    p1.ns.ip('link', 'set', 'eth0', 'address', p1.mac);
    // A MAC change flushes the device's neighbours, permanent ones included: restore the gateway.
    p1.ns.ip('neigh', 'replace', '169.254.1.1', 'lladdr', node.mac(p1.hostIf), 'dev', 'eth0', 'nud', 'permanent');
    t.equal(p1.ping(p2.ip, { count: 1 }), true);
  });

  t.test('NATed flows stay on the stack: ClusterIP DNAT to a local pod', { skip: !have('iptables') && 'needs iptables' }, async (t) => {
    node.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    clusterIpDnat(node, '10.96.0.10', '10.77.0.2');
    await helloServer(t, p2.ns.name, '10.77.0.2', '');
    const passBefore = counters(p2.hostIfindex).passFlow.packets;
    t.equal(fetchHello(p1.ns, '10.96.0.10'), 'hello 10.77.0.1', 'the client reached the backend through the ClusterIP and got its answer');
    t.ok(counters(p2.hostIfindex).passFlow.packets > passBefore, "the backend's replies were handed to the stack (reverse NAT)");
    t.ok(counters(p2.hostIfindex).toPod.packets > 0n, 'to-pod saw the DNATed packets');
  });

  t.test('off the node: fib_lookup + redirect_neigh out, from-uplink redirect_peer back in', async (t) => {
    node.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    node.ip('link', 'add', 'name', 'pltup', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', remote.name);
    node.ip('addr', 'add', '192.168.77.1/30', 'dev', 'pltup');
    node.ip('link', 'set', 'pltup', 'up');
    remote.ip('addr', 'add', '192.168.77.2/30', 'dev', 'eth0');
    remote.ip('link', 'set', 'eth0', 'up');
    remote.ip('addr', 'add', '10.78.0.1/32', 'dev', 'lo');
    remote.ip('route', 'add', '10.77.0.0/16', 'via', '192.168.77.1');
    node.ip('route', 'add', '10.78.0.0/16', 'via', '192.168.77.2');
    const up = node.ifindex('pltup');
    inNode(() => attachUplink(deps, { bpfRoot: root, ifName: 'pltup', ifindex: up, tcx: true }));
    inNode(() => attachUplink(deps, { bpfRoot: root, ifName: 'pltup', ifindex: up, tcx: true }));
    t.equal(hookProgs(up, BPF.BPF_TCX_INGRESS).length, 1, 'one from-uplink program (attach is idempotent)');
    const fib = counters(p1.hostIfindex).redirectFib.packets;
    t.equal(p1.ping('10.78.0.1'), true, 'ping a "remote node" address inside a cluster CIDR');
    t.ok(counters(p1.hostIfindex).redirectFib.packets - fib >= 3n, 'requests left through redirect_neigh');
    t.ok(counters(up).redirectLocal.packets >= 3n, 'replies came in through redirect_peer on the uplink');
    t.equal(
      inNode(() => detachUplink(deps, { bpfRoot: root, ifName: 'pltup', ifindex: up })),
      true,
    );
    t.equal(hookProgs(up, BPF.BPF_TCX_INGRESS).length, 0);
  });

  t.test(
    'NATed flows stay on the stack: ClusterIP DNAT to a backend on another node',
    { skip: !have('iptables') && 'needs iptables' },
    async (t) => {
      // The underlay and the "remote node" (10.78.0.1) are the previous test's; the uplink goes back on.
      const up = node.ifindex('pltup');
      inNode(() => attachUplink(deps, { bpfRoot: root, ifName: 'pltup', ifindex: up, tcx: true }));
      t.teardown(() => void inNode(() => detachUplink(deps, { bpfRoot: root, ifName: 'pltup', ifindex: up })));
      clusterIpDnat(node, '10.96.0.11', '10.78.0.1');
      await helloServer(t, remote.name, '10.78.0.1', ' + b" " + c.recv(100)');
      const passFlowBefore = counters(up).passFlow.packets;
      const got = p1.ns.exec('/usr/bin/python3', [
        '-c',
        [
          'import socket',
          's = socket.create_connection(("10.96.0.11", 80), timeout=5); s.sendall(b"ping")',
          'print(s.recv(100).decode())',
        ].join('\n'),
      ]);
      t.equal(got.trim(), 'hello 10.77.0.1 ping', 'TCP both ways through the ClusterIP to the remote backend');
      t.ok(
        counters(up).passFlow.packets > passFlowBefore,
        "the remote backend's replies were handed to the stack at the uplink (reverse NAT), not redirected",
      );
    },
  );

  t.test('detach: unpins, removes only our map entries, is idempotent', async (t) => {
    const done = inNode(() => detachEndpoint(deps, { bpfRoot: root, hostIfName: p1.hostIf, hostIfindex: p1.hostIfindex, ips: [p1.ip] }));
    t.match(done, [
      /unpinned .*from-pod$/,
      /unpinned .*to-pod$/,
      /deleted pl_endpoints\[10\.77\.0\.1\]/,
      /deleted pl_pod_cfg/,
      /deleted pl_stats/,
    ]);
    t.notOk(fs.existsSync(pinPaths(root).linksDir(p1.hostIf)), 'link directory removed');
    t.same(hookProgs(p1.hostIfindex, BPF.BPF_TCX_INGRESS), []);
    t.same(hookProgs(p1.hostIfindex, BPF.BPF_TCX_EGRESS), []);
    t.ok(inNode(() => checkEndpoint(deps, spec(p1))).length >= 3, 'CHECK now reports the missing pieces');
    t.same(
      inNode(() => detachEndpoint(deps, { bpfRoot: root, hostIfName: p1.hostIf, hostIfindex: p1.hostIfindex, ips: [p1.ip] })),
      [],
      'second DEL: nothing to do',
    );
    t.same(detachEndpoint(deps, { bpfRoot: root, hostIfName: 'plnever', ips: ['10.77.9.9'] }), [], 'DEL of something never added');
    // An IP now owned by another ifindex is left alone.
    const maps = openDatapathMaps(sys, root)!;
    t.teardown(() => maps.close());
    t.equal(decodeEndpointInfo(maps.get('pl_endpoints')!.lookup(encodeEndpointKey(p2.ip))!).ifindex, p2.hostIfindex);
    inNode(() => detachEndpoint(deps, { bpfRoot: root, hostIfName: p1.hostIf, hostIfindex: p1.hostIfindex, ips: [p2.ip] }));
    t.ok(maps.get('pl_endpoints')!.lookup(encodeEndpointKey(p2.ip)), "p2's entry survived a DEL naming its IP with another ifindex");
  });

  t.test('device deleted under pinned links: CHECK says defunct, attach replaces, detach cleans', async (t) => {
    node.ip('link', 'del', p2.hostIf);
    const pin = pinPaths(root).linkPin(p2.hostIf, 'from-pod');
    t.ok(fs.existsSync(pin), 'pins outlive the device');
    t.match(
      inNode(() => checkEndpoint(deps, spec(p2))),
      [/defunct/, /defunct/],
    );
    // Same name, new device (new ifindex): attach replaces the defunct pins.
    node.ip('link', 'add', 'name', p2.hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', p2.ns.name);
    node.ip('link', 'set', p2.hostIf, 'up');
    const ifindex = node.ifindex(p2.hostIf);
    t.not(ifindex, p2.hostIfindex);
    const fresh = spec(p2, { hostIfindex: ifindex, podMac: p2.ns.mac('eth0') });
    inNode(() => attachEndpoint(deps, fresh));
    t.same(
      inNode(() => checkEndpoint(deps, fresh)),
      [],
    );
    const link = BpfLink.openPinned(sys, pin);
    t.equal(link.info().ifindex, ifindex);
    link.close();
    node.ip('link', 'del', p2.hostIf);
    const done = detachEndpoint(deps, { bpfRoot: root, hostIfName: p2.hostIf, ips: [p2.ip] });
    t.match(done, [/unpinned/, /unpinned/]);
    t.notOk(fs.existsSync(pin));
  });

  t.test('concurrent loaders: one loads, the others reuse its pins', async (t) => {
    const root2 = `${fsm.dir}/concurrent`;
    const code =
      `import { loadAndPin } from '${repo}lib/datapath/index.js'; import { nativeSys } from '${repo}lib/sys/index.js';` +
      `console.log(JSON.stringify(loadAndPin(nativeSys(), ${JSON.stringify(root2)})));`;
    const run = () =>
      new Promise<{ loadedPrograms: boolean; createdMaps: boolean }>((resolve, reject) => {
        const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
          cwd: repo,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        c.stdout.on('data', (d) => (out += d));
        c.stderr.on('data', (d) => (err += d));
        c.on('exit', (rc) => (rc === 0 ? resolve(JSON.parse(out)) : reject(new Error(`loader exited ${rc}: ${err}`))));
      });
    const results = await Promise.all([run(), run(), run()]);
    t.equal(results.filter((r) => r.loadedPrograms).length, 1, 'exactly one process published programs');
    t.equal(results.filter((r) => r.createdMaps).length, 1, 'exactly one process published maps');
    t.equal(isLoaded(root2), true);
    t.same(datapathProblems(sys, root2), []);
    const leftovers = fs.readdirSync(`${root2}/progs`).filter((e) => e.startsWith('tmp-'));
    t.same(leftovers, [], 'no temporary directories left behind');
    t.equal(fs.readdirSync(`${root2}/progs`).length, 1);
    t.equal(fs.readdirSync(`${root2}/progs`)[0], datapathObject().objectHash);
  });
});
