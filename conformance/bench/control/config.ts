// Constants shared by every phase of the control benchmark: where the reference plugins live, the CNI
// version, the operations and contenders measured, default sizes.

export const CNI_PATH = process.env.CNI_PLUGIN_DIR ?? '/usr/lib/cni';
export const CNI_VERSION = '1.0.0'; // the newest both Debian 12's ptp/host-local (1.1.1) and podlink read
export const OPS = ['ADD', 'CHECK', 'DEL'] as const;
export type Op = (typeof OPS)[number];
export type Key = 'podlink' | 'ptp' | 'host-local' | 'node -e 0' | '/bin/true' | 'floor' | 'floor plain';
/** floor and floor plain (floor.ts) run ADD and DEL only. */
export const KEYS: Key[] = ['podlink', 'ptp', 'host-local', 'node -e 0', '/bin/true', 'floor', 'floor plain'];

export const DEFAULTS = { pods: 1000, quickPods: 200, latencyPods: 100, rounds: 3, tputPods: 32, probes: 12, coldRuns: 20, rssRuns: 9, dadPods: 3 };
/** The node netns' uplink (a veth pair, both ends in the node netns) holding the default routes, as a real node has. */
export const UPLINK = 'uplink0';
export const CONCURRENCY = [1, 8, 32];
