// The Kubernetes node source for the agent: lib/kube's list/watch, adapted to the agent's handlers.
// Imported dynamically by the agent command only, so the CNI paths never evaluate lib/kube.
import type { NodeSource, NodeSourceHandlers } from '../lib/agent/index.js';

export async function startKubeSource(o: { kubeconfig?: string }, h: NodeSourceHandlers): Promise<NodeSource> {
  const { startNodeWatch } = await import('../lib/kube/index.js');
  const watch = startNodeWatch(
    { kubeconfig: o.kubeconfig },
    {
      // The watcher's map is the live set (a relist swaps in a complete new one): the agent reads it at
      // reconcile time, so a burst of events costs one pass over the newest state.
      onNodes: (nodes, cause) => h.onNodes(nodes, cause),
      onStatus: ({ source: _kind, server, resourceVersion: _rv, ...rest }) => h.onStatus({ kind: 'kubernetes', where: server, ...rest }),
      log: h.log,
    },
  );
  return watch;
}
