// Where the agent's start-up time goes, read from its own JSON log (one object a line: time, level, msg,
// fields) and from /proc: its first line, "kube: listed nodes" (with the list's own ms and pages), the
// first and last "route add" of the first pass, errors; VmHWM/VmRSS, CPU time of the process, and the
// main thread's time on a CPU and waiting for one (schedstat). Pure parsers, tested on canned text.

export interface LogLine {
  /** ms since the epoch */
  at: number;
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

export function parseLog(text: string): { lines: LogLine[]; unparsed: number } {
  const lines: LogLine[] = [];
  let unparsed = 0;
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    try {
      const o = JSON.parse(raw) as Record<string, unknown>;
      const at = Date.parse(String(o.time));
      if (!Number.isFinite(at) || typeof o.msg !== 'string') throw new Error('not a log object');
      const { time: _t, level, msg, ...fields } = o;
      lines.push({ at, level: String(level), msg, fields });
    } catch {
      unparsed++;
    }
  }
  return { lines, unparsed };
}

/** Milestones of the first sync, in ms after `startedAt` (the spawn, ms since the epoch); undefined: not in the log. */
export interface StartupMilestones {
  firstLine?: number;
  listed?: number;
  /** the list's duration as the agent logged it, and its pages */
  listMs?: number;
  listPages?: number;
  listNodes?: number;
  firstRouteAdd?: number;
  lastRouteAdd?: number;
  routeAdds: number;
  errors: string[];
}

export function startupMilestones(lines: readonly LogLine[], startedAt: number, until = Infinity): StartupMilestones {
  const m: StartupMilestones = { routeAdds: 0, errors: [] };
  const rel = (l: LogLine) => l.at - startedAt;
  for (const l of lines) {
    if (l.at - startedAt > until) break;
    m.firstLine ??= rel(l);
    if (l.level === 'error') m.errors.push(l.msg);
    if (l.msg === 'kube: listed nodes' && m.listed === undefined) {
      m.listed = rel(l);
      if (typeof l.fields.ms === 'number') m.listMs = l.fields.ms;
      if (typeof l.fields.pages === 'number') m.listPages = l.fields.pages;
      if (typeof l.fields.nodes === 'number') m.listNodes = l.fields.nodes;
    }
    if (l.msg.startsWith('route add ')) {
      m.firstRouteAdd ??= rel(l);
      m.lastRouteAdd = rel(l);
      m.routeAdds++;
    }
  }
  return m;
}

/** VmHWM, VmRSS and its anonymous (heaps) and file-backed (the executable's pages) parts of /proc/<pid>/status, in MiB. */
export function parseProcStatus(text: string): { hwmMiB?: number; rssMiB?: number; anonMiB?: number; fileMiB?: number } {
  const kb = (k: string) => {
    const m = new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) / 1024 : undefined;
  };
  return { hwmMiB: kb('VmHWM'), rssMiB: kb('VmRSS'), anonMiB: kb('RssAnon'), fileMiB: kb('RssFile') };
}

/** utime + stime of /proc/<pid>/stat, in ms (the comm field may hold spaces and parentheses). */
export function parseProcStatCpuMs(text: string, ticksPerSecond = 100): number | undefined {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields after comm start at field 3 (state); utime is field 14, stime field 15
  const utime = Number(rest[14 - 3]);
  const stime = Number(rest[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1000) / ticksPerSecond;
}

/** /proc/<pid>/schedstat (the main thread): ns on a CPU, ns runnable but waiting for one; in ms. */
export function parseSchedstat(text: string): { cpuMs: number; waitMs: number } | undefined {
  const [run, wait] = text.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(run) || !Number.isFinite(wait)) return undefined;
  return { cpuMs: run! / 1e6, waitMs: wait! / 1e6 };
}
