// The Kubernetes node source for the agent: lib/kube's list/watch, adapted to the agent's handlers.
// Loaded with the agent only; the CNI paths never import it.
import type { NodeSource, NodeSourceHandlers, SourceNode } from '../lib/agent/index.js';

export async function startKubeSource(o: { kubeconfig?: string }, h: NodeSourceHandlers): Promise<NodeSource> {
  void o;
  void h;
  throw new Error('the Kubernetes source is not wired yet: use --nodes-file');
}

export type { SourceNode };
