// The core checks of ADD, DEL and CHECK (§4): result shape and kernel state, DEL in all its forms
// (repeated, netns gone, no netns, after a failed ADD), CHECK with and without prevResult, CHECK
// refused below 0.4.0, and an interface that already exists.
import { errorProblems, successProblems } from './answer-checks.js';
import { cid, confFor, newPod, type Case } from './case-setup.js';
import { leftoverProblems, nonLoLinks, podStateProblems } from './kernel-state.js';
import { hostIfName, resultShapeProblems } from './result-shape.js';
import { atLeast } from './suite.js';
import type { Target } from './target.js';

/** §4 ADD.1/ADD.3/ADD.5, §5: ADD's result shape for the version, the kernel agrees; DEL cleans up. */
export function checkAddResult(tg: Target, c: Case): string[] {
  const pod = newPod(tg, 'shape');
  const conf = confFor(tg, c);
  const id = cid('shape');
  const add = tg.run('ADD', { containerId: id, pod, conf });
  const p = successProblems(add, 'ADD', 'json');
  if (add.code !== 0) return p;
  p.push(...resultShapeProblems(add.json, c.version, { netns: `/run/netns/${pod}`, ifname: 'eth0', ipv6: true }));
  p.push(...podStateProblems(tg.bed, pod, 'eth0', add.json));
  const host = hostIfName(add.json);
  if (host && !tg.bed.nodeLinks().includes(host)) p.push(`host interface ${host} from the result is not in the node netns`);
  p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf }), 'DEL', 'empty'));
  p.push(...leftoverProblems(tg.bed, [pod]));
  return p;
}

/** §4 DEL.2: ADD, DEL, DEL again (no prevResult): both DELs succeed silently; nothing left. */
export function checkDelRepeated(tg: Target, c: Case): string[] {
  const pod = newPod(tg, 'deltwice');
  const conf = confFor(tg, c);
  const id = cid('deltwice');
  const add = tg.run('ADD', { containerId: id, pod, conf });
  const p = successProblems(add, 'ADD', 'json');
  if (add.code !== 0) return p;
  p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf }), 'first DEL', 'empty'));
  p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf }), 'second DEL', 'empty'));
  if (atLeast(c.version, '0.4.0')) p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf: { ...conf, prevResult: add.json } }), 'third DEL with prevResult', 'empty'));
  p.push(...leftoverProblems(tg.bed, [pod]));
  return p;
}

/** §4 DEL.2, §2.5, §6.4, §10.2: the netns was deleted before DEL (the kernel removed the pair). */
export function checkDelNetnsGone(tg: Target, c: Case): string[] {
  const pod = newPod(tg, 'delgone');
  const conf = confFor(tg, c);
  const id = cid('delgone');
  const add = tg.run('ADD', { containerId: id, pod, conf });
  const p = successProblems(add, 'ADD', 'json');
  if (add.code !== 0) return p;
  tg.bed.removePod(pod);
  p.push(...successProblems(tg.run('DEL', { containerId: id, netns: `/run/netns/${pod}`, conf }), 'DEL with the netns gone', 'empty'));
  p.push(...successProblems(tg.run('DEL', { containerId: id, netns: `/run/netns/${pod}`, conf }), 'DEL again', 'empty'));
  p.push(...leftoverProblems(tg.bed));
  return p;
}

/** §4 DEL.2, §2.5: DEL with CNI_NETNS absent, then (another attachment) with CNI_NETNS="". */
export function checkDelNoNetns(tg: Target, c: Case): string[] {
  const p: string[] = [];
  for (const variant of ['absent', 'empty'] as const) {
    const pod = newPod(tg, `delnons${variant[0]}`);
    const conf = confFor(tg, c);
    const id = cid(`delnons${variant[0]}`);
    const add = tg.run('ADD', { containerId: id, pod, conf });
    p.push(...successProblems(add, `ADD (${variant})`, 'json'));
    if (add.code !== 0) continue;
    const del = tg.run('DEL', { containerId: id, conf, env: { CNI_NETNS: variant === 'absent' ? undefined : '' } });
    p.push(...successProblems(del, `DEL with CNI_NETNS ${variant}`, 'empty'));
    p.push(...leftoverProblems(tg.bed, [pod]).map((x) => `after DEL with CNI_NETNS ${variant}: ${x}`));
  }
  return p;
}

/** §1.8, §4 ADD.6: an ADD that fails half-way (IPv6 needs MTU >= 1280), then the runtime's DEL. */
export function checkDelAfterFailedAdd(tg: Target, c: Case): string[] {
  const pod = newPod(tg, 'delfail');
  const conf = confFor(tg, c, { mtu: 1200 });
  const id = cid('delfail');
  const add = tg.run('ADD', { containerId: id, pod, conf });
  const p = errorProblems(add, 'ADD with mtu 1200 and IPv6', { version: c.version });
  p.push(...leftoverProblems(tg.bed, [pod]).map((x) => `after the failed ADD: ${x}`));
  p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf }), 'DEL after the failed ADD', 'empty'));
  p.push(...leftoverProblems(tg.bed, [pod]));
  return p;
}

/** §4 CHECK.2/CHECK.7/CHECK.9: CHECK with the ADD result straight after ADD succeeds, prints nothing. */
export function checkCheckWithPrev(tg: Target, c: Case): string[] {
  const pod = newPod(tg, 'chk');
  const conf = confFor(tg, c);
  const id = cid('chk');
  const add = tg.run('ADD', { containerId: id, pod, conf });
  const p = successProblems(add, 'ADD', 'json');
  if (add.code !== 0) return p;
  p.push(...successProblems(tg.run('CHECK', { containerId: id, pod, conf: { ...conf, prevResult: add.json } }), 'CHECK with prevResult', 'empty'));
  p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf }), 'DEL', 'empty'));
  return p;
}

/** §4 CHECK.2: CHECK without prevResult is an error (not a silent success). */
export function checkCheckWithoutPrev(tg: Target, c: Case): string[] {
  const pod = newPod(tg, 'chknp');
  const conf = confFor(tg, c);
  const id = cid('chknp');
  const add = tg.run('ADD', { containerId: id, pod, conf });
  const p = successProblems(add, 'ADD', 'json');
  if (add.code !== 0) return p;
  p.push(...errorProblems(tg.run('CHECK', { containerId: id, pod, conf }), 'CHECK without prevResult', { version: c.version }));
  p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf }), 'DEL', 'empty'));
  return p;
}

/** §4 CHECK.1, §0.3: a CHECK with a config below 0.4.0 gets code 1. */
export function checkCheckTooOld(tg: Target, version: string): string[] {
  const pod = newPod(tg, 'chkold');
  const conf = tg.bed.conf({ cniVersion: version });
  return errorProblems(tg.run('CHECK', { containerId: cid('chkold'), pod, conf }), `CHECK with cniVersion ${version}`, { code: 1, version });
}

/** §4 ADD.2: CNI_IFNAME already in the pod: an error, no IP allocated, nothing created, theirs kept. */
export function checkIfnameExists(tg: Target, c: Case): string[] {
  const pod = newPod(tg, 'exists');
  tg.bed.ip(pod, ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'theirs0']);
  const conf = confFor(tg, c);
  const id = cid('exists');
  const add = tg.run('ADD', { containerId: id, pod, conf });
  const p = errorProblems(add, 'ADD with eth0 already present', { version: c.version });
  const ipam = tg.bed.ipamAllocations();
  if (ipam.length) p.push(`IPs allocated although the interface exists: ${ipam.join(', ')}`);
  const links = tg.bed.nodeLinks();
  if (links.length) p.push(`host links created: ${links.join(', ')}`);
  if (!nonLoLinks(tg.bed, pod).includes('eth0')) p.push('the pre-existing eth0 was removed');
  p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf }), 'the runtime\'s DEL after the failed ADD', 'empty'));
  return p;
}
