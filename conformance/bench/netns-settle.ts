// Before a bench measures: wait while the kernel is still freeing network namespaces. Deleting a netns
// only queues it; the kernel tears them down later, one grace period after another, and the control
// bench's scaling phase leaves 1 080 of them. A run started right after another one measured during that
// teardown (about 1 700 kernel worker threads for several minutes, load average near 300) and read
// NOISY on lines that pass on a quiet machine. /proc/slabinfo counts the namespaces still allocated
// (docs/kernel.md#freeing-network-namespaces).

/** Allocated `struct net` objects in /proc/slabinfo's text, or undefined when it does not list them. */
export function netnsAllocated(slabinfo: string): number | undefined {
  const line = slabinfo.split('\n').find((l) => l.startsWith('net_namespace '));
  const active = line?.trim().split(/\s+/)[1];
  return active === undefined ? undefined : Number(active);
}

export interface SettleDeps {
  read: () => string | undefined;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** Told once, when a first sample shows namespaces being freed. */
  note?: (msg: string) => void;
}

/**
 * Waits while the count of allocated namespaces falls between two samples `everyMs` apart, for at most
 * `maxMs`. Returns what it saw: the first and last counts and the seconds waited (0 when nothing was
 * being freed, or the kernel does not say).
 */
export async function settleNetns(
  d: SettleDeps,
  everyMs = 1000,
  maxMs = 600_000,
): Promise<{ from?: number; to?: number; waitedS: number; gaveUp: boolean }> {
  const count = () => {
    const text = d.read();
    return text === undefined ? undefined : netnsAllocated(text);
  };
  const start = d.now();
  const from = count();
  if (from === undefined) return { waitedS: 0, gaveUp: false };
  let prev = from;
  for (;;) {
    await d.sleep(everyMs);
    const cur = count() ?? prev;
    const waitedS = Math.round((d.now() - start) / 100) / 10;
    if (cur < prev && prev === from) d.note?.(`waiting: the kernel is freeing network namespaces (${from} allocated, an earlier run's)`);
    if (cur >= prev) return { from, to: cur, waitedS: cur < from ? waitedS : 0, gaveUp: false };
    if (d.now() - start >= maxMs) return { from, to: cur, waitedS, gaveUp: true };
    prev = cur;
  }
}
