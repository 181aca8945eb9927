// CLI step reporting shared by install, uninstall, manifest, logs and metrics: step errors that name
// the step and a fix, one line per step, and progress shown only on a TTY.

/** A failed step: the message names the step, the fix says what to do about it. */
export class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'StepError';
  }
}

/** The usual fix for a file-system errno. */
export function fixFor(e: unknown, dir?: string): string | undefined {
  switch ((e as NodeJS.ErrnoException)?.code) {
    case 'EACCES':
    case 'EPERM':
      return `run as root${dir ? `, or choose a writable directory instead of ${dir}` : ''}`;
    case 'EROFS':
      return `${dir ?? 'the target'} is on a read-only file system: mount it read-write (in a pod: a hostPath volume without readOnly)`;
    case 'ENOSPC':
      return `free space on the file system of ${dir ?? 'the target'}`;
    case 'ENOTDIR':
      return `a component of ${dir ?? 'the path'} is a file, not a directory: choose another directory`;
    default:
      return undefined;
  }
}

export function stepError(step: string, e: unknown, dir?: string): StepError {
  if (e instanceof StepError) return e;
  const x = e as Error & { hint?: string };
  return new StepError(step, x?.message ?? String(e), x?.hint ?? fixFor(e, dir));
}

export function formatStepError(command: string, e: unknown): string {
  if (e instanceof StepError) return `podlink ${command}: ${e.step} failed: ${e.message}\n${e.fix ? `  fix: ${e.fix}\n` : ''}`;
  const x = e as Error & { hint?: string };
  return `podlink ${command}: ${x?.message ?? String(e)}\n${x?.hint ? `  fix: ${x.hint}\n` : ''}`;
}

export type StepStatus = 'changed' | 'unchanged' | 'would change' | 'skipped' | 'kept';

export interface StepReport {
  step: string;
  target: string;
  status: StepStatus;
  detail: string;
}

export function formatSteps(steps: StepReport[]): string {
  const w1 = Math.max(...steps.map((s) => s.step.length));
  const w2 = Math.max(...steps.map((s) => s.target.length));
  return steps.map((s) => `  ${s.step.padEnd(w1)}  ${s.target.padEnd(w2)}  ${s.detail}`.trimEnd()).join('\n');
}

/**
 * The first and last lines around the steps: `podlink <command>` (or its dry-run banner), then how many
 * changes were (or would be) made; `done` names the outcome, `idle` the state when there was nothing to do.
 */
export function reportFrame(command: string, r: { steps: StepReport[]; dryRun: boolean }, done: string, idle: string) {
  const n = r.steps.filter((s) => s.status === 'changed' || s.status === 'would change').length;
  const changes = `${n} change${n > 1 ? 's' : ''}`;
  const head = r.dryRun ? `podlink ${command} --dry-run: nothing is changed; this is the plan` : `podlink ${command}`;
  if (r.dryRun) return { head, tail: n ? `${changes} would be made.` : `Nothing to do: ${idle}.` };
  return { head, tail: n ? `podlink is ${done} (${changes}).` : `Nothing changed: ${idle}.` };
}

export interface Progress {
  update(done: number, total: number): void;
  done(): void;
}

/** A one-line progress meter on stderr, only when stderr is a terminal. */
export function ttyProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress | undefined {
  if (!stream.isTTY) return undefined;
  let last = -1;
  let lastAt = 0;
  return {
    update(done, total) {
      const pct = total ? Math.floor((done * 100) / total) : 100;
      const now = Date.now();
      if (pct === last || (pct < 100 && now - lastAt < 100)) return;
      last = pct;
      lastAt = now;
      stream.write(`\r${label} ${String(pct).padStart(3)}% (${mib(done)}/${mib(total)} MiB)`);
    },
    done() {
      if (last >= 0) stream.write('\r\x1b[2K');
    },
  };
}

export function mib(n: number): string {
  return (n / 1048576).toFixed(1);
}
