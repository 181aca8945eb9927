// `podlink manifest`: the Kubernetes objects that run podlink on every node — ServiceAccount, the
// netconf ConfigMap, RBAC (the agent lists and watches nodes; `get` when install looks up the node's
// pod CIDR), and the DaemonSet: its privileged init container runs `podlink install`, its main container
// `podlink agent`. Pure. May import: node builtins, ./conflist, ./yaml.
import { createHash } from 'node:crypto';
import { DEFAULT_NETWORK_NAME, podlinkPlugin } from './conflist.js';
import { toYamlDocuments, type YamlValue } from './yaml.js';

export interface ManifestOptions {
  image: string;
  mode?: string;
  namespace?: string;
  /** Object name and app label. Default podlink. */
  name?: string;
  /** Fixed host-local subnets; without them each node allocates from its own spec.podCIDRs. */
  subnets?: string[];
  networkName?: string;
  /** Where the binary sits in the image. */
  binary?: string;
  logLevel?: string;
  /** The netconf's routing (native, tunnel, auto) and tunnelPort: the agent and the CNI calls read them. */
  routing?: string;
  tunnelPort?: number;
  /** Host directory of node_exporter's textfile collector. */
  textfileDir?: string;
  /** The cluster's service CIDRs: the agent refuses a node pod CIDR that overlaps them. */
  serviceCIDRs?: string[];
}

/**
 * V8 heap limits for the long-running agent. Node's defaults let the heap grow lazily (16 MiB young
 * generation, an old generation that shrinks late): with 5 000 nodes the agent peaked at 170-200 MiB RSS,
 * with these at 113-115 MiB (conformance/bench: agent), while its live heap stays far below 128 MiB.
 */
export const AGENT_NODE_OPTIONS = '--max-semi-space-size=1 --max-old-space-size=128';

/** kubeadm's default --service-cluster-ip-range. */
export const DEFAULT_SERVICE_CIDRS = ['10.96.0.0/12'];

export const DEFAULT_IMAGE = 'ghcr.io/podlink/podlink';
export const NETCONF_KEY = 'podlink.json';
const NETCONF_MOUNT = '/etc/podlink';

type Obj = { [k: string]: YamlValue | undefined };

interface HostMount {
  name: string;
  hostPath: string;
  mountPath: string;
  bidirectional?: boolean;
}

export function manifestObjects(o: ManifestOptions): Obj[] {
  const name = o.name ?? 'podlink';
  const namespace = o.namespace ?? 'kube-system';
  const bin = o.binary ?? '/usr/local/bin/podlink';
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'cni' };
  const fromNode = !o.subnets?.length;
  const textfileDir = o.textfileDir ?? '/var/lib/node_exporter/textfile_collector';

  const plugin = podlinkPlugin({ mode: o.mode ?? 'auto', ipamType: 'host-local', subnets: o.subnets });
  const conf = {
    cniVersion: '1.1.0',
    name: o.networkName ?? DEFAULT_NETWORK_NAME,
    ...plugin,
    ...(o.logLevel ? { logLevel: o.logLevel } : {}),
    ...(o.routing ? { routing: o.routing } : {}),
    ...(o.tunnelPort ? { tunnelPort: o.tunnelPort } : {}),
  };
  const netconf = `${JSON.stringify(conf, null, 2)}\n`;
  const netconfHash = createHash('sha256').update(netconf).digest('hex').slice(0, 16);

  const hostMounts: HostMount[] = [
    { name: 'cni-bin', hostPath: '/opt/cni/bin', mountPath: '/host/opt/cni/bin' },
    { name: 'cni-conf', hostPath: '/etc/cni/net.d', mountPath: '/host/etc/cni/net.d' },
    { name: 'bpffs', hostPath: '/sys/fs/bpf', mountPath: '/sys/fs/bpf', bidirectional: true },
    { name: 'run-podlink', hostPath: '/run/podlink', mountPath: '/run/podlink' },
    { name: 'state', hostPath: '/var/lib/podlink', mountPath: '/var/lib/podlink' },
    { name: 'log', hostPath: '/var/log/podlink', mountPath: '/var/log/podlink' },
    { name: 'textfile', hostPath: textfileDir, mountPath: textfileDir },
  ];
  const mount = (m: HostMount, readOnly = false): Obj => ({
    name: m.name,
    mountPath: m.mountPath,
    ...(m.bidirectional ? { mountPropagation: 'Bidirectional' } : {}),
    ...(readOnly ? { readOnly: true } : {}),
  });
  const netconfMount: Obj = { name: 'netconf', mountPath: NETCONF_MOUNT, readOnly: true };

  const installArgs = [
    'install',
    '--netconf',
    `${NETCONF_MOUNT}/${NETCONF_KEY}`,
    '--bin-dir',
    '/host/opt/cni/bin',
    '--conf-dir',
    '/host/etc/cni/net.d',
    ...(fromNode ? ['--subnet', 'node'] : []),
  ];
  const nodeNameEnv: Obj = { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } };

  const objects: Obj[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-config`, namespace, labels }, data: { [NETCONF_KEY]: netconf } },
  ];
  // Exactly what the agent needs (list + watch of Nodes), plus get for install's --subnet node lookup.
  const verbs = fromNode ? ['get', 'list', 'watch'] : ['list', 'watch'];
  objects.push(
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name, labels },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  );
  objects.push({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace, labels },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels, annotations: { 'podlink.io/netconf-sha256': netconfHash } },
        spec: {
          serviceAccountName: name,
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          priorityClassName: 'system-node-critical',
          // Every node needs pod networking, whatever its taints (NotReady, control plane, …).
          tolerations: [{ operator: 'Exists' }],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          terminationGracePeriodSeconds: 10,
          initContainers: [
            {
              name: 'install',
              image: o.image,
              imagePullPolicy: 'IfNotPresent',
              command: [bin],
              args: installArgs,
              env: [nodeNameEnv],
              securityContext: { privileged: true },
              volumeMounts: [...hostMounts.map((m) => mount(m)), netconfMount],
            },
          ],
          containers: [
            {
              name: 'agent',
              image: o.image,
              imagePullPolicy: 'IfNotPresent',
              command: [bin],
              args: [
                'agent',
                '--netconf',
                `${NETCONF_MOUNT}/${NETCONF_KEY}`,
                '--textfile-dir',
                textfileDir,
                ...(o.serviceCIDRs ?? DEFAULT_SERVICE_CIDRS).flatMap((c) => ['--service-cidr', c]),
              ],
              env: [nodeNameEnv, { name: 'NODE_OPTIONS', value: AGENT_NODE_OPTIONS }],
              // privileged: the agent writes routes and the pinned pl_cidrs map, readiness opens the pinned
              // BPF objects, and Bidirectional propagation requires it.
              securityContext: { privileged: true },
              readinessProbe: {
                exec: { command: [bin, 'status', '--ready'] },
                initialDelaySeconds: 2,
                periodSeconds: 10,
                timeoutSeconds: 5,
                failureThreshold: 3,
              },
              // The agent's loop rewrites agent.alive every 5 s; a wedged loop stops it and the kubelet restarts
              // the container. Routes stay in place meanwhile (fail-static), so a restart costs nothing.
              livenessProbe: {
                exec: { command: [bin, 'status', '--alive'] },
                initialDelaySeconds: 15,
                periodSeconds: 10,
                timeoutSeconds: 5,
                failureThreshold: 3,
              },
              // 5 000 nodes measured at well under the limit (conformance/bench: agent).
              resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { memory: '300Mi' } },
              // The netconf: routing and tunnelPort, as the CNI calls read them from the conflist install writes.
              volumeMounts: [
                ...hostMounts.filter((m) => !m.name.startsWith('cni-')).map((m) => mount(m, m.name === 'state')),
                netconfMount,
              ],
            },
          ],
          volumes: [
            ...hostMounts.map((m): Obj => ({ name: m.name, hostPath: { path: m.hostPath, type: 'DirectoryOrCreate' } })),
            { name: 'netconf', configMap: { name: `${name}-config` } },
          ],
        },
      },
    },
  });
  return objects;
}

export function renderManifest(o: ManifestOptions): string {
  return toYamlDocuments(manifestObjects(o) as YamlValue[]);
}
