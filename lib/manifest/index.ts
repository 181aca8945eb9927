// lib/manifest: what podlink puts on a node and into a cluster — the CNI conflist, the DaemonSet
// manifest (with a small YAML emitter), and the in-cluster lookup of the node's pod CIDRs.
// May import: lib/util, node builtins.
export { toYaml, toYamlDocuments, scalar as yamlScalar, doubleQuoted as yamlDoubleQuoted, type YamlValue } from './yaml.js';
export {
  CONFLIST_NAME,
  CONFLIST_CNI_VERSION,
  DEFAULT_NETWORK_NAME,
  ConfigInputError,
  buildConflist,
  cidrFamily,
  hostLocalRanges,
  podlinkPlugin,
  renderConflist,
  type ConflistOptions,
  type PluginInput,
} from './conflist.js';
export { AGENT_NODE_OPTIONS, DEFAULT_IMAGE, NETCONF_KEY, manifestObjects, renderManifest, type ManifestOptions } from './daemonset.js';
export { SERVICE_ACCOUNT_DIR, defaultKubeNodeDeps, nodePodCidrs, type HttpResponse, type KubeNodeDeps } from './kube-node.js';
