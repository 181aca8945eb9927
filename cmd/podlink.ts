// podlink: with CNI_COMMAND set it is a CNI plugin (stdout carries exactly one JSON document or
// nothing); otherwise it is the operator's CLI. Start-up is the floor of every CNI call, so this
// entry imports nothing: each path loads only the code it needs. Only the last line sets the exit code.
import type { TailSection } from '../lib/util/executable-tail.js';
import type { LoadedPayload } from './embedded-payload.js';
import type * as CniPayload from './payload.js';
import type * as CliPayload from './cli-payload.js';

declare const __PODLINK_VERSION__: string | undefined;
/**
 * The release build's cmd/payload.ts bundle (the CNI plugin), the only text of a block comment in a function
 * that is never called, read back with Function.prototype.toString. V8's scanner skips a comment quickly; the
 * same text as a string literal was scanned at start-up and again when payload() was compiled
 * (docs/architecture.md#start-up). Absent under tsx.
 */
declare const __podlinkPayloadText: (() => void) | undefined;
/** Where the release build appended the CNI payload's V8 code cache to the executable, if it made one (lib/util/executable-tail.ts). */
declare const __PODLINK_CACHE_TAIL__: TailSection | undefined;
/** The CLI's bundle (cmd/cli-payload.ts) and its code cache, appended to the executable: only a CLI call reads them. */
declare const __PODLINK_CLI_TAIL__: TailSection | undefined;
declare const __PODLINK_CLI_CACHE_TAIL__: TailSection | undefined;
/** sha256 of the CNI payload bundle (build.mjs): names the node's code cache files. */
declare const __PODLINK_PAYLOAD_SHA256__: string | undefined;
const VERSION = typeof __PODLINK_VERSION__ === 'string' ? __PODLINK_VERSION__ : '0.0.0-dev';

const commentOf = (f: () => void): string => {
  const s = f.toString();
  return s.slice(s.indexOf('/*') + 2, s.lastIndexOf('*/'));
};

/**
 * The CNI payload, with the node's code cache of the command (cmd/node-code-cache.ts).
 * The command comes from a fixed list: it names a file.
 */
async function cniPayload(cniCommand: string): Promise<LoadedPayload<typeof CniPayload>> {
  if (typeof __podlinkPayloadText !== 'function') {
    return { payload: await import('./payload.js'), saveNodeCache: () => {} };
  }
  const { loadEmbeddedPayload, DEFAULT_CACHE_DIR } = await import('./embedded-payload.js');
  const cached = NODE_CACHED_COMMANDS.has(cniCommand) && typeof __PODLINK_PAYLOAD_SHA256__ === 'string';
  const node = cached
    ? {
        dir: process.env.PODLINK_CACHE_DIR ?? DEFAULT_CACHE_DIR,
        key: `${__PODLINK_PAYLOAD_SHA256__.slice(0, 16)}-${cniCommand.toLowerCase()}`,
      }
    : undefined;
  // None in a cross-built executable (arm64): this x64 Node could make no cache that Node would accept.
  const builtCache = typeof __PODLINK_CACHE_TAIL__ === 'object' ? __PODLINK_CACHE_TAIL__ : undefined;
  return loadEmbeddedPayload('CNI', commentOf(__podlinkPayloadText), builtCache, require, __filename, node);
}

/** The CLI payload: its text and code cache read from the executable's tail. */
async function cliPayload(): Promise<typeof CliPayload> {
  if (typeof __PODLINK_CLI_TAIL__ !== 'object') return import('./cli-payload.js');
  const { loadEmbeddedPayload } = await import('./embedded-payload.js');
  const { requiredSection } = await import('../lib/util/executable-tail.js');
  // ASCII (esbuild escapes the rest; build.mjs checks): latin1 gives V8 a one-byte string without decoding.
  const text = requiredSection(__PODLINK_CLI_TAIL__, __filename, 'CLI payload').toString('latin1');
  const builtCache = typeof __PODLINK_CLI_CACHE_TAIL__ === 'object' ? __PODLINK_CLI_CACHE_TAIL__ : undefined;
  return loadEmbeddedPayload<typeof CliPayload>('CLI', text, builtCache, require, __filename).payload;
}

const NODE_CACHED_COMMANDS = new Set(['ADD', 'DEL', 'CHECK', 'STATUS', 'GC']);

const CNI_FLAGS = new Set(['--dry-run', '--json']);

/**
 * The CLI's reader went away (`podlink logs | head`): end quietly with 141, what a shell reports for
 * git or a Go program killed by SIGPIPE (Node ignores SIGPIPE, so the write fails with EPIPE instead).
 * The CNI paths write with writeFdAll, which ignores EPIPE: the runtime's exit code stays the call's.
 */
function exitQuietlyOnBrokenPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(141);
      throw e;
    });
  }
}

// PODLINK_TRACE_STEPS=1: milliseconds since the process started at each phase (stderr), for profiling.
const trace = process.env.PODLINK_TRACE_STEPS === '1';
const mark = (what: string) => trace && process.stderr.write(`podlink: t=${performance.now().toFixed(2)} ms ${what}${usage()}\n`);
/** This process's own CPU, page faults and peak RSS so far (children excluded). */
function usage(): string {
  const u = process.resourceUsage();
  const ms = (us: number) => (us / 1000).toFixed(1);
  const rss = (u.maxRSS / 1024).toFixed(1);
  return ` (cpu user ${ms(u.userCPUTime)} ms sys ${ms(u.systemCPUTime)} ms, minflt ${u.minorPageFault}, maxrss ${rss} MiB)`;
}

async function main(argv: string[]): Promise<number> {
  mark('entry');
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    exitQuietlyOnBrokenPipe();
    process.stdout.write(`podlink ${VERSION}\n`);
    return 0;
  }
  if (process.env.CNI_COMMAND === 'VERSION' && argv.length === 0) {
    const { runVersion } = await import('./version-main.js');
    return runVersion();
  }
  if (process.env.CNI_COMMAND && argv.every((a) => CNI_FLAGS.has(a))) {
    const { payload: p, saveNodeCache } = await cniPayload(process.env.CNI_COMMAND);
    mark('payload loaded');
    const code = await p.runCni(argv);
    // A call that set the node up compiled code later calls never run: its cache would only be larger.
    if (code === 0 && !argv.includes('--dry-run') && !p.nodeSetupDone()) saveNodeCache();
    mark('done');
    // Everything a CNI call writes (result, log, state) is written synchronously by now. Exiting here
    // skips what a natural exit does first (freeing the environment, tearing down V8's heap), and
    // exitProcess skips Node's exit too when it can (lib/sys/exit.ts).
    p.exitProcess(code);
  }
  exitQuietlyOnBrokenPipe();
  return (await cliPayload()).runCli(argv, VERSION);
}

main(process.argv.slice(2)).then(
  (code) => {
    mark('done');
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`podlink: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
