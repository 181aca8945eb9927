// Reconnect delays: exponential from initialMs, capped at maxMs, with "equal jitter" (half fixed, half random)
// so that many agents restarting together do not reconnect in step.

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000 };

/** The delay before retry number `attempt` (1 = the first retry after a failure). */
export function backoffDelay(b: Backoff, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(b.maxMs, b.initialMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return base / 2 + random() * (base / 2);
}
