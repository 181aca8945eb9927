// The suite as one program for the VM tiers (bundled by conformance/vm-tiers.sh, run by
// conformance/suite/vm-suite.sh): one node start per shard instead of one per file, since starting node
// costs seconds under CPU emulation. The files register their cases in this fixed order, which
// PODLINK_SUITE_SHARD relies on; PODLINK_SUITE_FILES picks the files whose cases run.
import { setCaseFile } from './lib/suite.js';

const FILES: [string, () => Promise<unknown>][] = [
  ['datapath-mode', () => import('./datapath-mode.test.js')],
  ['spec-versions', () => import('./spec-versions.test.js')],
  ['spec-protocol', () => import('./spec-protocol.test.js')],
  ['spec-ipam', () => import('./spec-ipam.test.js')],
  ['chain', () => import('./chain.test.js')],
  ['concurrency', () => import('./concurrency.test.js')],
];

for (const [name, load] of FILES) {
  setCaseFile(`${name}.test.ts`);
  await load();
}
