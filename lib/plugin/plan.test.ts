import t from 'tap';
import { addPlan } from './add.js';
import { checkPlan } from './check.js';
import { delPlan } from './del.js';
import { Plan, planText, type Step } from './plan.js';

interface Facts {
  dev: string;
}

function recorder() {
  const events: string[] = [];
  const open: Step<Facts, { dev: string }, { fd: number }> = {
    name: 'open',
    ops: (f) => [`open ${f.dev}`],
    run: (c, s) => {
      events.push(`open ${c.dev}`);
      s.atExit(() => events.push('close fd 3'));
      s.undo('unopen', () => void events.push('undo open'));
      return { fd: 3 };
    },
  };
  const use: Step<Facts, { dev: string; fd: number }, { used: string }> = {
    name: 'use',
    ops: (f) => [`use ${f.dev}`, 'twice'],
    run: async (c, s) => {
      s.undo('unuse', async () => void events.push(`undo use ${c.fd}`));
      return { used: `${c.dev}#${c.fd}` };
    },
  };
  return { events, open, use };
}

t.test('each step gets what the steps before it produced; execute returns the whole context', async (t) => {
  const { events, open, use } = recorder();
  const timings: Record<string, number> = {};
  const done = await Plan.start<Facts, { dev: string }>('X').then(open).then(use).execute({ dev: 'eth9' }, { timings });
  t.same(done, { dev: 'eth9', fd: 3, used: 'eth9#3' });
  t.same(events, ['open eth9', 'close fd 3'], 'no undo on success; exit actions run');
  t.same(Object.keys(timings), ['open', 'use'], 'one timing per step, by name');
  t.ok(Object.values(timings).every((ms) => typeof ms === 'number' && ms >= 0));
});

t.test('a failing step: undo in reverse, then exit actions; the error names the step', async (t) => {
  const { events, open, use } = recorder();
  const fail: Step<Facts, { used: string }> = {
    name: 'fail',
    ops: () => [],
    run: () => {
      throw Object.assign(new Error('boom'), { errno: 22 });
    },
  };
  const undoErrors: string[] = [];
  const badUndo: Step<Facts, { dev: string }> = {
    name: 'bad undo',
    ops: () => [],
    run: (_c, s) =>
      s.undo('explodes', () => {
        throw new Error('undo boom');
      }),
  };
  const plan = Plan.start<Facts, { dev: string }>('X').then(open).then(badUndo).then(use).then(fail);
  const e = await plan.execute({ dev: 'eth9' }, { onUndoError: (what) => undoErrors.push(what) }).catch((x) => x);
  t.match(e, { message: 'boom', step: 'fail', hint: /kernel rejected the value/ }, 'the errno constant picks the hint');
  t.same(events, ['open eth9', 'undo use 3', 'undo open', 'close fd 3']);
  t.same(undoErrors, ['explodes'], 'an undo that fails is reported and the others still run');
});

t.test('describe words every step from the facts alone, without running anything', async (t) => {
  const { events, open, use } = recorder();
  const plan = Plan.start<Facts, { dev: string }>('X').then(open).then(use);
  const j = plan.describe({ dev: 'eth7' });
  t.same(j, {
    command: 'X',
    steps: [
      { step: 1, name: 'open', ops: ['open eth7'] },
      { step: 2, name: 'use', ops: ['use eth7', 'twice'] },
    ],
  });
  t.same(events, []);
  const text = [
    'podlink X plan (dry run: nothing was changed)',
    ' 1. open',
    '      - open eth7',
    ' 2. use',
    '      - use eth7',
    '      - twice',
  ];
  t.equal(planText(j), `${text.join('\n')}\n`);
});

// The control bench, the crash tests and operators' log queries read these names.
t.test('step names of ADD, DEL and CHECK', async (t) => {
  t.same(addPlan.stepNames, [
    'open pod netns',
    'resolve datapath mode',
    'claim endpoint',
    'start IPAM ADD',
    'create link pair',
    'attach BPF from-pod hook',
    'wait for IPAM',
    'configure pod side',
    'attach BPF to-pod hook',
    'configure host side',
    'publish endpoint',
    'write endpoint record',
  ]);
  t.same(delPlan.stepNames, [
    'read endpoint record',
    'start IPAM DEL',
    'delete link pair',
    'detach BPF datapath',
    'wait for IPAM',
    'remove endpoint record',
  ]);
  t.same(checkPlan.stepNames, [
    'start IPAM CHECK',
    'read endpoint record',
    'check host side',
    'check pod side',
    'check BPF datapath',
    'wait for IPAM',
  ]);
});
