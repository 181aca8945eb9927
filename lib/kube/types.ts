// The public shapes of lib/kube: what the agent gets from the Node list/watch.

/** A Node as the agent needs it: raw strings, not validated (the agent validates and reports). */
export interface KubeNode {
  name: string;
  /** spec.podCIDRs, else [spec.podCIDR] when set, else []. */
  podCIDRs: string[];
  /** Per family: the InternalIP addresses; ExternalIP only for a family with no InternalIP. */
  addresses: string[];
  /** metadata.resourceVersion of the object this came from ('' when absent). */
  resourceVersion: string;
}

export interface NodeWatchStatus {
  source: 'kubernetes';
  /** https://host:port (plus any path prefix of the kubeconfig's server). */
  server: string;
  /** A watch stream (or list) is currently working. */
  connected: boolean;
  /** At least one full list has been applied. */
  synced: boolean;
  /** ISO time; set while not connected. */
  disconnectedSince?: string;
  /** ISO time of the last watch event (bookmarks included) or list applied. */
  lastEventAt?: string;
  /** ISO time of the last completed full list. */
  lastSyncAt?: string;
  /** Failed list/watch attempts, malformed events/objects. */
  syncErrors: number;
  lastError?: string;
  /** The resourceVersion the next watch starts from ('' before the first list). */
  resourceVersion: string;
}

export type NodesCause = 'list' | 'resync' | 'added' | 'modified' | 'deleted';

export interface NodeWatchHandlers {
  /**
   * After every applied change (a full (re)list, or one watch event): the whole current set. The map is the
   * watcher's own and changes after the call returns: copy what must outlive the call.
   */
  onNodes(nodes: ReadonlyMap<string, KubeNode>, cause: NodesCause): void;
  /** After every change of the status (connection, sync, errors, events). */
  onStatus(status: NodeWatchStatus): void;
  log?(level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void;
}

export interface NodeWatchOptions {
  /** Path of a kubeconfig; absent -> in-cluster config. */
  kubeconfig?: string;
  /** KUBERNETES_SERVICE_HOST/PORT for in-cluster (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Default /var/run/secrets/kubernetes.io/serviceaccount (token, ca.crt). */
  serviceAccountDir?: string;
  /** Periodic full relist (default 5 min). */
  resyncMs?: number;
  /** Reconnect backoff with jitter (default 500 ms .. 30 s). */
  backoff?: { initialMs: number; maxMs: number };
  /** Items per list page (default 500). */
  pageSize?: number;
  /** The watch's timeoutSeconds (default a random 300..600 s per watch, as client-go does). */
  watchTimeoutSeconds?: number;
}

export interface NodeWatch {
  stop(): Promise<void>;
  status(): NodeWatchStatus;
}
