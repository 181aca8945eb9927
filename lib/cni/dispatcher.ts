// lib/cni/dispatcher: runs one CNI call. Reads CNI_COMMAND, stdin and the env, parses the config,
// applies the version gates (once, here), calls the handler, and prints exactly one JSON document
// on stdout (the ADD result or the error object) or nothing. Returns the exit code; never exits and
// never throws. Writes one summary event to the log. May import: ./*, ../log.
import { openLog, redact, type Logger, type LogLevel, type LogOptions } from '../log/index.js';
import { answerVersion } from './about.js';
import { parseCommand, parseEnv, type CniEnv, type Command } from './env.js';
import { CniError, Code, toCniError } from './errors.js';
import { configVersion, decodeConfigJson, parseNetConf, type NetConf } from './netconf.js';
import { formatResult, type Result } from './result.js';
import { LATEST_VERSION, versionAtLeast, type CniVersion } from './versions.js';

export interface CniIO {
  getenv(name: string): string | undefined;
  readStdin(): Promise<Buffer>;
  stdout(s: string): void;
  stderr(s: string): void;
}

export interface HandlerContext {
  env: CniEnv;
  conf: NetConf;
  stdin: Buffer;
  dryRun: boolean;
  log: Logger;
  /** Where handlers put how long each step of their plan took (ms), for the call's log line. */
  steps?: Record<string, number>;
}

export interface Handlers {
  add(ctx: HandlerContext): Promise<Result>;
  del(ctx: HandlerContext): Promise<void>;
  check(ctx: HandlerContext): Promise<void>;
  status(ctx: HandlerContext): Promise<void>;
  gc(ctx: HandlerContext): Promise<void>;
}

export interface CallSummary {
  command: string;
  durationMs: number;
  code?: number;
  dryRun: boolean;
  modeFile?: string;
  stateDir?: string;
}

export interface DispatchOptions {
  dryRun?: boolean;
  /** Called once after the call's log event (metrics). Errors are ignored. */
  onComplete?: (e: CallSummary) => void;
  /** Logger factory (default lib/log openLog); the config's logFile/logLevel are passed when known. */
  openLog?: (o: { file?: string; level?: LogLevel }) => Logger;
}

/** Oldest config version that may use each command (libcni sends them only from these on). */
export const MIN_VERSION: Readonly<Partial<Record<Command, CniVersion>>> = {
  CHECK: '0.4.0',
  STATUS: '1.1.0',
  GC: '1.1.0',
};

export function checkVersionGate(command: Command, version: CniVersion): void {
  const min = MIN_VERSION[command];
  if (min && !versionAtLeast(version, min)) {
    throw new CniError(
      Code.IncompatibleVersion,
      `config version does not allow ${command}`,
      `config is ${JSON.stringify(version)}, ${command} needs ${min} or later`,
    );
  }
}

/** What the raw stdin says, before validation: for the error's cniVersion and the log file. */
function sniff(stdin: Buffer | undefined): { version?: CniVersion; file?: string; level?: LogLevel } {
  if (!stdin) return {};
  try {
    const raw = decodeConfigJson(stdin);
    const out: { version?: CniVersion; file?: string; level?: LogLevel } = {};
    try {
      out.version = configVersion(raw);
    } catch {
      // unsupported: the error is written in our newest version
    }
    if (typeof raw.logFile === 'string' && raw.logFile.startsWith('/')) out.file = raw.logFile;
    if (raw.logLevel === 'error' || raw.logLevel === 'warn' || raw.logLevel === 'info' || raw.logLevel === 'debug')
      out.level = raw.logLevel;
    return out;
  } catch {
    return {};
  }
}

async function readStdin(io: CniIO): Promise<Buffer> {
  try {
    return await io.readStdin();
  } catch (e) {
    throw new CniError(Code.IoFailure, `error reading from stdin: ${(e as Error)?.message ?? String(e)}`);
  }
}

export async function dispatch(io: CniIO, handlers: Handlers, opts: DispatchOptions = {}): Promise<number> {
  const started = process.hrtime.bigint();
  // The log's "file unavailable" notice goes through io.stderr too (which a broken pipe cannot crash).
  const makeLog = opts.openLog ?? ((o: LogOptions) => openLog({ ...o, onError: (m) => io.stderr(`${m}\n`) }));
  let command: Command | undefined;
  let stdin: Buffer | undefined;
  let env: CniEnv | undefined;
  let conf: NetConf | undefined;
  let log: Logger | undefined;
  let wroteStdout = false;
  let exitCode = 0;
  let failure: CniError | undefined;
  let durationMs = 0;
  let ctx: HandlerContext | undefined;

  const print = (doc: unknown) => {
    wroteStdout = true;
    io.stdout(`${JSON.stringify(doc)}\n`);
  };

  try {
    command = parseCommand(io.getenv);
    if (command === 'VERSION') {
      print(await answerVersion(() => io.readStdin()));
    } else {
      stdin = await readStdin(io);
      env = parseEnv(io.getenv);
      conf = parseNetConf(stdin, { prevResult: command !== 'DEL' });
      log = makeLog({ file: conf.logFile, level: conf.logLevel });
      if (log.enabled('debug')) log.debug('config', { config: redact(conf.raw) });
      checkVersionGate(command, conf.cniVersion);
      ctx = { env, conf, stdin, dryRun: opts.dryRun ?? false, log, steps: {} };
      switch (command) {
        case 'ADD': {
          const result = await handlers.add(ctx);
          // --dry-run: the handler printed the plan; there is no result to report.
          if (!ctx.dryRun) print(formatResult(result, conf.cniVersion));
          break;
        }
        case 'DEL':
          await handlers.del(ctx);
          break;
        case 'CHECK':
          await handlers.check(ctx);
          break;
        case 'STATUS':
          await handlers.status(ctx);
          break;
        case 'GC':
          await handlers.gc(ctx);
          break;
      }
    }
  } catch (e) {
    exitCode = 1;
    try {
      failure = toCniError(e);
      const version = conf?.cniVersion ?? sniff(stdin).version ?? LATEST_VERSION;
      // If stdout already failed mid-write, a second document would only make it worse.
      if (!wroteStdout) print(failure.toJSON(version));
    } catch (inner) {
      try {
        io.stderr(`podlink: cannot report error: ${(inner as Error)?.message ?? String(inner)}\n`);
      } catch {
        // nothing left to report to
      }
    }
  }

  try {
    durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e3) / 1e3;
    if (!log) {
      const s = sniff(stdin);
      log = makeLog({ file: s.file, level: s.level });
    }
    log.event({
      command: command ?? io.getenv('CNI_COMMAND') ?? '',
      containerID: env?.containerId ?? io.getenv('CNI_CONTAINERID') ?? '',
      ifname: env?.ifname ?? io.getenv('CNI_IFNAME') ?? '',
      netns: env?.netns ?? io.getenv('CNI_NETNS') ?? '',
      network: conf?.name,
      cniVersion: conf?.cniVersion,
      durationMs,
      steps: ctx?.steps && Object.keys(ctx.steps).length ? ctx.steps : undefined,
      outcome: failure ? 'error' : 'ok',
      code: failure?.code,
      msg: failure?.msg,
    });
    log.close();
  } catch {
    // logging never changes the outcome
  }
  try {
    opts.onComplete?.({
      command: command ?? '',
      durationMs,
      code: failure?.code,
      dryRun: opts.dryRun ?? false,
      modeFile: conf?.modeFile,
      stateDir: conf?.stateDir,
    });
  } catch {
    // metrics never change the outcome either
  }
  return exitCode;
}
