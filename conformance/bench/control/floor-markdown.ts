// The report's "Kernel floor" section: the floor's part times one at a time and at concurrency 8.
import { fmtSpread, table } from '../report.js';
import { spreadOf } from '../stats.js';
import { BURST_CONCURRENCY, type FloorRounds } from './floor-analysis.js';

/** podlink's own attach steps per round, and ADD's own share against ptp with them subtracted (info). */
export interface OwnAttach {
  ownAttach: number[];
  addLessOwnAttach: number[];
}

export function floorSection(fl: FloorRounds, latencyPods: number, burstPods: number, own?: OwnAttach): string[] {
  const cell = (xs: number[]) => fmtSpread(spreadOf(xs), 2);
  const one = `one at a time (${latencyPods} per round)`;
  const c8 = `concurrency ${BURST_CONCURRENCY} (${burstPods} per round)`;
  return [
    `### Kernel floor (floor.c: the syscalls podlink's ADD and DEL need, timed inside the program; p50, ms)`,
    '',
    table(['line', 'what', one, c8], [
      ['floor ADD', 'pair + attach', cell(fl.add), cell(fl.c8.add)],
      ['floor link pair', 'one RTM_NEWLINK: veth, peer born in the pod netns (ptp pays its own pair)', cell(fl.pair), cell(fl.c8.pair)],
      ['floor attach', 'open the pinned program, 2 × (BPF_LINK_CREATE tcx + BPF_OBJ_PIN): charged to the kernel in the ADD ratio', cell(fl.attach), cell(fl.c8.attach)],
      ['floor DEL', 'RTM_DELLINK of the pair with its two links, unlink the pins', cell(fl.del), cell(fl.c8.del)],
      ['floor plain DEL', 'RTM_DELLINK of a pair without links', cell(fl.plainDel), '–'],
      ['floor DEL-extra', 'floor DEL − floor plain DEL: charged to the kernel in the DEL ratio', cell(fl.delExtra), '–'],
      ...(own ? [['podlink attach', 'podlink\'s own "attach BPF" plan steps (its log): the same two link creates, as they went inside ADD', cell(own.ownAttach), '–']] : []),
    ], ['l', 'l', 'r', 'r']),
    '',
    ...(own
      ? [
          `Info, beside the ADD line: (podlink ADD p50 − node -e 0 p50 − podlink attach p50) ÷ ptp ADD p50 = ${own.addLessOwnAttach.map((x) => x.toFixed(2)).join(', ')} (per round): ` +
            'ADD\'s own share with its link creates charged as they went, not at the floor\'s p50.',
          '',
        ]
      : []),
  ];
}
