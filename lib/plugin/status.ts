// STATUS (and `podlink status --ready`): ready to serve ADD when the mode file is valid, the BPF
// objects are in place, and IPAM says it is ready.
import { readModeFile } from '../connector/index.js';
import { Code, CniError } from '../cni/errors.js';
import type { PodDatapath } from '../datapath/index.js';
import { ipamStatus } from './ipam-calls.js';
import type { Request } from './types.js';

/** Node readiness problems, empty when ready. */
export function readinessProblems(modeFile: string, bpfRoot: string, dp: PodDatapath): string[] {
  const problems: string[] = [];
  try {
    if (!readModeFile(modeFile)) problems.push(`mode file ${modeFile} is missing (run podlink probe --write)`);
  } catch (e) {
    problems.push((e as Error).message);
  }
  problems.push(...dp.ready(bpfRoot));
  return problems;
}

export function runStatus(req: Request, dp: PodDatapath): void {
  const problems = readinessProblems(req.conf.modeFile, req.conf.bpfRoot, dp);
  const hint = 'run `podlink probe --write` on the node (the DaemonSet init container does this)';
  if (problems.length) throw new CniError(Code.NotAvailable, `podlink is not ready: ${problems.join('; ')}`, hint);
  if (req.conf.ipamType) ipamStatus(req);
}
