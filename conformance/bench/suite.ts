// The contract between `bench.ts` and a suite module (control.ts, datapath.ts, …): the module exports
// `suite`, bench.ts imports it lazily by subcommand name and calls `run` with the remaining argv.
// The suite owns its cleanup (see harness.ts `Cleanup`) and prints its report to stdout; the exit code
// is 0 when the run completed (whatever the verdicts), 1 on failure, 2 on usage errors.
export interface Suite {
  /** Subcommand name, e.g. "control". */
  name: string;
  /** One line for `bench --help`. */
  summary: string;
  /** Lines of option help for `bench <name> --help`. */
  usage: string[];
  run(argv: string[]): Promise<number>;
}

export class UsageError extends Error {}

/** Minimal `--flag`, `--key value` / `--key=value` parser; unknown options are usage errors. */
export function parseOptions(argv: string[], spec: Record<string, 'flag' | 'int' | 'string'>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    const key = a.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[key];
    if (!kind) throw new UsageError(`unknown option --${key}`);
    if (kind === 'flag') {
      if (eq >= 0) throw new UsageError(`--${key} takes no value`);
      out[key] = true;
      continue;
    }
    const raw = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (raw === undefined) throw new UsageError(`--${key} needs a value`);
    if (kind === 'int') {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${key} wants a positive integer, got ${raw}`);
      out[key] = n;
    } else out[key] = raw;
  }
  return out;
}
