// lib/kube: the Kubernetes Node list/watch for `podlink agent` — config (in-cluster or kubeconfig), a paged
// list, a watch with bookmarks, 410 relist, backoff and periodic resync, on node:http/https (WHY.md says why
// not @kubernetes/client-node). May import: node builtins and js-yaml (kubeconfig); nothing of podlink's.
export { toKubeNode } from './node.js';
export { startNodeWatch, DEFAULT_RESYNC_MS } from './watch.js';
export { loadConnection, SERVICE_ACCOUNT_DIR, type ConnectionOptions } from './connection.js';
export { KubeConfigError, type KubeConnection } from './config-common.js';
export { KubeHttpError } from './http.js';
export { backoffDelay, DEFAULT_BACKOFF, type Backoff } from './backoff.js';
export type { KubeNode, NodeWatch, NodeWatchHandlers, NodeWatchOptions, NodeWatchStatus, NodesCause } from './types.js';
