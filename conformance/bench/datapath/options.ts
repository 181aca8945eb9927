// Command-line options of `bench datapath`: their help lines and parsing.
import * as path from 'node:path';
import { ROOT } from '../harness.js';
import { parseOptions } from '../suite.js';
import { HOST_CASES, parseCases, type CaseKey } from './cases.js';
import { DEFAULTS } from './config.js';

export interface Options {
  repeat: number;
  tputSeconds: number;
  rrSeconds: number;
  vm: boolean;
  podlink: string;
  json: boolean;
  /** hold /dev/cpu_dma_latency at 0 during latency samples (idle CPUs poll) */
  latencyHold: boolean;
  /** pin clients to CPU 0 and servers to CPU 1 */
  pin: boolean;
  /** --cases: build and measure only these host cases (default: all) */
  cases?: CaseKey[];
}

export const USAGE = [
  `  --repeat N         repetitions; every topology runs once per repetition, interleaved (default ${DEFAULTS.repeat}; verdicts need ≥ 3)`,
  `  --tput-seconds N   measured seconds per topology of a throughput sample (default ${DEFAULTS.tputSeconds})`,
  `  --rr-seconds N     measured seconds per topology of a TCP_RR / TCP_CRR sample (default ${DEFAULTS.rrSeconds})`,
  '  --no-vm            skip (e): netkit vs veth pods in a kvm-run VM',
  '  --podlink PATH     the executable to measure (default $PODLINK_BIN or dist/podlink)',
  '  --no-json          do not write conformance/bench/results/<date>-datapath.{json,svg}',
  '  --idle-states      leave the CPU idle states alone (default: /dev/cpu_dma_latency held at 0 µs during TCP_RR/CRR samples, host and VM)',
  '  --no-pin           let the scheduler place clients and servers (default: clients and stream receivers on CPU 0, echo servers on CPU 1)',
  `  --cases LIST       build and measure only these host cases, comma-separated: ${HOST_CASES.join(', ')} (default: all)`,
];

export function options(argv: string[]): Options {
  const o = parseOptions(argv, { repeat: 'int', 'tput-seconds': 'int', 'rr-seconds': 'int', 'no-vm': 'flag', podlink: 'string', 'no-json': 'flag', 'idle-states': 'flag', 'no-pin': 'flag', cases: 'string' });
  return {
    repeat: (o.repeat as number | undefined) ?? DEFAULTS.repeat,
    tputSeconds: (o['tput-seconds'] as number | undefined) ?? DEFAULTS.tputSeconds,
    rrSeconds: (o['rr-seconds'] as number | undefined) ?? DEFAULTS.rrSeconds,
    vm: o['no-vm'] !== true,
    podlink: path.resolve((o.podlink as string | undefined) ?? process.env.PODLINK_BIN ?? path.join(ROOT, 'dist/podlink')),
    json: o['no-json'] !== true,
    latencyHold: o['idle-states'] !== true,
    pin: o['no-pin'] !== true,
    cases: o.cases === undefined ? undefined : parseCases(o.cases as string),
  };
}
