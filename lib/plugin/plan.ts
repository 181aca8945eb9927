// Plan, then execute: an ordered list of named steps. Each step words its operations from the facts it
// acts on (what --dry-run reads from the node without changing it) and runs over a typed context that
// holds what the earlier steps produced. Every executed step may register undo actions, and a failure
// runs them in reverse before the error propagates (ADD leaves nothing behind); exit actions (closing
// what a step opened) run last, whatever the outcome.
import { E } from '../sys/index.js';

declare const __PODLINK_BUILD_FLAGS__: string | undefined;

export interface StepContext {
  /** Register how to undo what this step just did. */
  undo(what: string, fn: () => void | Promise<void>): void;
  /** Register a release (a socket, a netns handle) for when the plan ends, after any undo. */
  atExit(fn: () => void): void;
}

/**
 * One step: `ops` words it from the facts (F) the dry run reads, `run` does it over the context (In)
 * of the earlier steps and returns what it adds to the context (Out).
 */
export interface Step<F, In, Out = void> {
  name: string;
  ops: (f: F) => string[];
  run: (c: In, s: StepContext) => Out | Promise<Out>;
}

export type With<C, O> = O extends object ? C & O : C;

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
    case E.EPERM:
      return 'podlink must run as root (CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_BPF)';
    case E.EEXIST:
      return 'the object already exists: an earlier attachment may not have been deleted (run DEL, or GC)';
    case E.ENODEV:
      return 'the device disappeared (pod netns deleted?)';
    case E.EINVAL:
      return 'the kernel rejected the value: check mtu (IPv6 needs >= 1280), gsoMaxSize/groMaxSize and addresses in the config';
    case E.EOPNOTSUPP:
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
  if (
    typeof __PODLINK_BUILD_FLAGS__ === 'string'
      ? __PODLINK_BUILD_FLAGS__ !== 'fault-hooks'
      : process.env.PODLINK_DEV_BUILD_FLAGS !== 'fault-hooks'
  )
    return;
  const want = process.env.PODLINK_FAULT_AFTER_STEP;
  if (want && (want === String(stepIndex) || want === name)) process.kill(process.pid, 'SIGKILL');
}

export function planText(p: PlanJson): string {
  const lines = [`podlink ${p.command} plan (dry run: nothing was changed)`];
  for (const s of p.steps) {
    lines.push(`${String(s.step).padStart(2)}. ${s.name}`);
    for (const op of s.ops) lines.push(`      - ${op}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Each step is checked against the context when then() appends it. */
type AnyStep<F> = Step<F, any, unknown>;

export interface ExecuteOptions {
  onUndoError?: (what: string, e: unknown) => void;
  /** Receives each completed step's duration in ms (the call's log line has them). */
  timings?: Record<string, number>;
}

/** F: the facts the words come from; I: the context the first step gets; C: what the steps so far produce. */
export class Plan<F, I, C> {
  private constructor(
    readonly command: string,
    private readonly steps: readonly AnyStep<F>[],
  ) {}

  static start<F, I>(command: string): Plan<F, I, I> {
    return new Plan<F, I, I>(command, []);
  }

  /** Appends a step that needs at most what the steps before it produced. */
  then<O = void>(step: Step<F, C, O>): Plan<F, I, With<C, O>> {
    return new Plan<F, I, With<C, O>>(this.command, [...this.steps, step as AnyStep<F>]);
  }

  get stepNames(): string[] {
    return this.steps.map((s) => s.name);
  }

  describe(facts: F): PlanJson {
    return { command: this.command, steps: this.steps.map((s, i) => ({ step: i + 1, name: s.name, ops: s.ops(facts) })) };
  }

  /**
   * Runs every step over `init`; on failure undoes completed work in reverse and rethrows (undo errors
   * go to onUndoError). Returns the context the last step left.
   */
  async execute(init: I, o: ExecuteOptions = {}): Promise<C> {
    const undo: { what: string; fn: () => void | Promise<void> }[] = [];
    const exits: (() => void)[] = [];
    const sc: StepContext = { undo: (what, fn) => void undo.push({ what, fn }), atExit: (fn) => void exits.push(fn) };
    let ctx: Record<string, unknown> = { ...(init as Record<string, unknown>) };
    // PODLINK_TRACE_STEPS=1: per-step durations on stderr too (never stdout), for profiling.
    const trace = process.env.PODLINK_TRACE_STEPS === '1';
    try {
      for (const [i, s] of this.steps.entries()) {
        const t0 = process.hrtime.bigint(); // not performance.now(): its first use loads perf_hooks (~0.6 ms)
        let out: unknown;
        try {
          out = await s.run(ctx, sc);
        } catch (e) {
          throw withStep(e, s.name);
        }
        if (out && typeof out === 'object') ctx = { ...ctx, ...out };
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (o.timings) o.timings[s.name] = Math.round(ms * 100) / 100;
        if (trace) process.stderr.write(`podlink: step ${i + 1} ${s.name}: ${ms.toFixed(2)} ms\n`);
        faultAfter(i + 1, s.name);
      }
      return ctx as C;
    } catch (e) {
      for (const u of undo.reverse()) {
        try {
          await u.fn();
        } catch (ue) {
          o.onUndoError?.(u.what, ue);
        }
      }
      throw e;
    } finally {
      for (const x of exits.reverse()) x();
    }
  }
}
