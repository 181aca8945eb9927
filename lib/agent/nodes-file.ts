// The nodes file source (`podlink agent --nodes-file`): a JSON list of {name, podCIDRs, addresses},
// re-read when it changes. For runtimes without Kubernetes, and for tests. A file that does not parse
// keeps the last good list in force (fail-static) and shows as an error in status.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SourceNode } from './node.js';
import type { SourceStatus } from './status-file.js';

export interface NodeSourceHandlers {
  onNodes(nodes: ReadonlyMap<string, SourceNode>, cause: string): void;
  onStatus(status: SourceStatus): void;
  log(level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void;
}

export interface NodeSource {
  stop(): Promise<void>;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : [];
}

/** Parses the file's text: the nodes, and one problem per entry that could not be used at all. */
export function parseNodesFile(text: string): { nodes: Map<string, SourceNode>; problems: string[] } {
  const doc: unknown = JSON.parse(text);
  const list = Array.isArray(doc) ? doc : (doc as { nodes?: unknown })?.nodes;
  if (!Array.isArray(list)) throw new Error('expected a JSON list of {name, podCIDRs, addresses} (or {"nodes": [...]})');
  const nodes = new Map<string, SourceNode>();
  const problems: string[] = [];
  list.forEach((e: unknown, i) => {
    const o = e as Record<string, unknown> | null;
    const name = o?.name;
    if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(name)) {
      problems.push(`entry ${i}: name ${JSON.stringify(name)} is not a node name`);
      return;
    }
    if (nodes.has(name)) {
      problems.push(`entry ${i}: node ${name} is listed twice; the first entry counts`);
      return;
    }
    nodes.set(name, { name, podCIDRs: strings(o!.podCIDRs), addresses: strings(o!.addresses) });
  });
  return { nodes, problems };
}

/** Watches the file's directory (an editor or `mv` replaces the inode) and polls as a backstop. */
export function watchNodesFile(file: string, h: NodeSourceHandlers, pollMs = 2000): NodeSource {
  const status: SourceStatus = { kind: 'file', where: file, connected: false, synced: false, syncErrors: 0 };
  let lastText: string | undefined;
  const read = (cause: string) => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      lastText = undefined;
      fail(`read ${file}: ${(e as Error).message}`);
      return;
    }
    if (text === lastText) return;
    lastText = text;
    try {
      const { nodes, problems } = parseNodesFile(text);
      for (const p of problems) h.log('warn', `nodes file ${file}: ${p}`);
      const now = new Date().toISOString();
      Object.assign(status, { connected: true, synced: true, lastEventAt: now, lastSyncAt: now, disconnectedSince: undefined });
      status.syncErrors += problems.length;
      status.lastError = problems.length ? problems.join('; ') : undefined;
      h.onStatus({ ...status });
      h.onNodes(nodes, cause);
    } catch (e) {
      fail(`parse ${file}: ${(e as Error).message}; keeping the last good list`);
    }
  };
  const fail = (msg: string) => {
    if (!status.connected && status.lastError === msg) return; // the same failure, polled again
    status.syncErrors++;
    status.lastError = msg;
    if (status.connected || status.disconnectedSince === undefined) status.disconnectedSince = new Date().toISOString();
    status.connected = false;
    h.log('error', msg);
    h.onStatus({ ...status });
  };
  let watcher: fs.FSWatcher | undefined;
  try {
    watcher = fs.watch(path.dirname(file), (_ev, name) => {
      if (!name || name === path.basename(file)) read('file changed');
    });
  } catch (e) {
    h.log('warn', `cannot watch ${path.dirname(file)} (${(e as Error).message}); polling every ${pollMs} ms`);
  }
  const timer = setInterval(() => read('poll'), pollMs);
  timer.unref();
  read('start');
  return {
    async stop() {
      clearInterval(timer);
      watcher?.close();
    },
  };
}
