// Plan, then execute: an ordered list of named steps, each describing its operations in words. The
// same plan is printed for --dry-run and executed for real; every executed step may push undo actions,
// and a failure runs them in reverse before the error propagates (ADD leaves nothing behind).
declare const __PODLINK_BUILD_FLAGS__: string | undefined;

export interface StepContext {
  /** Register how to undo what this step just did. */
  undo(what: string, fn: () => void | Promise<void>): void;
}

export interface Step {
  name: string;
  /** The operations in words, as --dry-run prints them (a function when describing costs work). */
  ops: string[] | (() => string[]);
  run(s: StepContext): void | Promise<void>;
}

export interface PlanJson {
  command: string;
  steps: { step: number; name: string; ops: string[] }[];
}

/** Errors thrown inside a step carry the step's name for the CNI error message. */
export function withStep(e: unknown, step: string): unknown {
  if (e && typeof e === 'object' && e instanceof Error && e.name !== 'CniError') {
    // The plan step names where we were ("configure pod side"); the lower layer's message already
    // names the operation ("add address …: EINVAL"). toCniError joins the two.
    const x = e as Error & { step?: string; hint?: string; errno?: number };
    x.step = step;
    x.hint ??= hintFor(x.errno);
  }
  return e;
}

function hintFor(errno: number | undefined): string | undefined {
  switch (errno) {
    case 1:
      return 'podlink must run as root (CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_BPF)';
    case 17:
      return 'the object already exists: an earlier attachment may not have been deleted (run DEL, or GC)';
    case 19:
      return 'the device disappeared (pod netns deleted?)';
    case 22:
      return 'the kernel rejected the value: check mtu (IPv6 needs >= 1280), gsoMaxSize/groMaxSize and addresses in the config';
    case 95:
      return 'the kernel lacks this feature: check `podlink probe`';
    default:
      return undefined;
  }
}

/**
 * Test-only fault injection: SIGKILL ourselves right after step N (1-based) or a named step. Honoured
 * only in executables built with PODLINK_BUILD_FLAGS=fault-hooks, never in a release build.
 */
function faultAfter(stepIndex: number, name: string): void {
  // Written so that esbuild folds the condition to `true` in a release build and drops the rest.
  if (typeof __PODLINK_BUILD_FLAGS__ === 'string' ? __PODLINK_BUILD_FLAGS__ !== 'fault-hooks' : process.env.PODLINK_DEV_BUILD_FLAGS !== 'fault-hooks') return;
  const want = process.env.PODLINK_FAULT_AFTER_STEP;
  if (want && (want === String(stepIndex) || want === name)) process.kill(process.pid, 'SIGKILL');
}

const opsOf = (s: Step): string[] => (typeof s.ops === 'function' ? s.ops() : s.ops);

export class Plan {
  readonly steps: Step[] = [];
  constructor(readonly command: string) {}

  add(name: string, ops: Step['ops'], run: Step['run']): this {
    this.steps.push({ name, ops, run });
    return this;
  }

  toJSON(): PlanJson {
    return { command: this.command, steps: this.steps.map((s, i) => ({ step: i + 1, name: s.name, ops: opsOf(s) })) };
  }

  toText(): string {
    const lines = [`podlink ${this.command} plan (dry run: nothing was changed)`];
    this.steps.forEach((s, i) => {
      lines.push(`${String(i + 1).padStart(2)}. ${s.name}`);
      for (const op of opsOf(s)) lines.push(`      - ${op}`);
    });
    return `${lines.join('\n')}\n`;
  }

  /**
   * Runs every step; on failure undoes completed work in reverse and rethrows (undo errors are
   * collected). `timings` receives each completed step's duration in ms (the call's log line has them).
   */
  async execute(onUndoError?: (what: string, e: unknown) => void, timings?: Record<string, number>): Promise<void> {
    const undo: { what: string; fn: () => void | Promise<void> }[] = [];
    const ctx: StepContext = { undo: (what, fn) => undo.push({ what, fn }) };
    let i = 0;
    // PODLINK_TRACE_STEPS=1: per-step durations on stderr too (never stdout), for profiling.
    const trace = process.env.PODLINK_TRACE_STEPS === '1';
    try {
      for (const s of this.steps) {
        i++;
        const t0 = performance.now();
        try {
          await s.run(ctx);
        } catch (e) {
          throw withStep(e, s.name);
        }
        const ms = performance.now() - t0;
        if (timings) timings[s.name] = Math.round(ms * 100) / 100;
        if (trace) process.stderr.write(`podlink: step ${i} ${s.name}: ${ms.toFixed(2)} ms\n`);
        faultAfter(i, s.name);
      }
    } catch (e) {
      for (const u of undo.reverse()) {
        try {
          await u.fn();
        } catch (ue) {
          onUndoError?.(u.what, ue);
        }
      }
      throw e;
    }
  }
}
