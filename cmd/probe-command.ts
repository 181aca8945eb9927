// `podlink probe`: the node-level probe helper.
import { writeModeFile, type Mode } from '../lib/connector/index.js';
import { probe } from '../lib/plugin/index.js';
import { nativeSys } from '../lib/sys/index.js';
import { withLock } from '../lib/util/index.js';
import { probeDeps } from './deps.js';
import { describeNodeDatapath, setUpNodeDatapath, type NodeDatapathReport } from './node-datapath.js';

export interface ProbeOptions {
  mode: Mode;
  write?: boolean;
  modeFile: string;
  bpfRoot: string;
  json?: boolean;
  /** `auto` (default-route devices), `none`, or device names, comma-separated. */
  uplink?: string;
}

export function runProbeCommand(o: ProbeOptions): number {
  try {
    const m = probe(
      probeDeps(() => nativeSys()),
      o.mode,
    );
    let node: NodeDatapathReport | undefined;
    if (o.write) {
      withLock(`${o.modeFile}.lock`, () => writeModeFile(m, o.modeFile));
      // Node-level BPF setup: programs and shared maps are loaded and pinned once, here; links of
      // existing pods move to them; the uplinks get pl_from_uplink.
      node = setUpNodeDatapath(nativeSys(), o.bpfRoot, m.features.tcx, o.uplink ?? 'auto');
    }
    if (o.json) process.stdout.write(`${JSON.stringify(node ? { ...m, node } : m, null, 2)}\n`);
    else {
      const f = m.features;
      process.stdout.write(
        `Device Mode: ${m.operational}${m.configured !== m.operational ? ` [Configured: ${m.configured}]` : ''}\n` +
          `Reason:      ${m.reason}\n` +
          `Kernel:      ${m.kernel}\n` +
          `Features:    netkit=${f.netkit} netkitScrub=${f.netkitScrub} netkitHeadroom=${f.netkitHeadroom} ` +
          `tcx=${f.tcx} bpffs=${f.bpffs}\n` +
          (o.write ? `Wrote:       ${o.modeFile}\n` : '') +
          (node ? `BPF:         ${describeNodeDatapath(node, o.bpfRoot).join('\n             ')}\n` : ''),
      );
    }
    if (m.configured === 'auto' && m.operational === 'veth') process.stderr.write(`podlink: ${m.reason}\n`);
    return 0;
  } catch (e) {
    const err = e as Error & { hint?: string };
    process.stderr.write(`podlink probe: ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}\n`);
    return 1;
  }
}
