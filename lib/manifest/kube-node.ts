// In-cluster lookup of this node's pod CIDRs (node.spec.podCIDRs), for `podlink install --subnet node`
// in the DaemonSet: host-local then allocates from the node's own range. Uses the pod's ServiceAccount
// token and CA; the ClusterRole from `podlink manifest` grants `get nodes`. May import: node builtins.
import * as fs from 'node:fs';
import * as https from 'node:https';
import { ConfigInputError } from './conflist.js';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface HttpResponse {
  status: number;
  body: string;
}

export interface KubeNodeDeps {
  env: Record<string, string | undefined>;
  readFile: (file: string) => string;
  /** GET with a bearer token and a CA bundle. */
  get: (url: URL, token: string, ca: string) => Promise<HttpResponse>;
}

function httpsGet(url: URL, token: string, ca: string): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: 'GET', ca, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out after 10 s')));
    req.on('error', reject);
    req.end();
  });
}

export const defaultKubeNodeDeps: KubeNodeDeps = {
  env: process.env,
  readFile: (f) => fs.readFileSync(f, 'utf8'),
  get: httpsGet,
};

/** The node's pod CIDRs from the API server. Errors name the step and the fix. */
export async function nodePodCidrs(deps: KubeNodeDeps = defaultKubeNodeDeps): Promise<string[]> {
  const node = deps.env.NODE_NAME;
  if (!node) {
    throw new ConfigInputError(
      '--subnet node: NODE_NAME is not set',
      'set env NODE_NAME from fieldRef spec.nodeName (as `podlink manifest` does), or pass --subnet CIDR',
    );
  }
  const host = deps.env.KUBERNETES_SERVICE_HOST;
  const port = deps.env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host)
    throw new ConfigInputError('--subnet node: not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set)', 'pass --subnet CIDR');
  let token: string;
  let ca: string;
  try {
    token = deps.readFile(`${SERVICE_ACCOUNT_DIR}/token`).trim();
    ca = deps.readFile(`${SERVICE_ACCOUNT_DIR}/ca.crt`);
  } catch (e) {
    throw new ConfigInputError(
      `--subnet node: cannot read the ServiceAccount token: ${(e as Error).message}`,
      'keep automountServiceAccountToken enabled for the podlink DaemonSet, or pass --subnet CIDR',
    );
  }
  const url = new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}/api/v1/nodes/${encodeURIComponent(node)}`);
  let res: HttpResponse;
  try {
    res = await deps.get(url, token, ca);
  } catch (e) {
    throw new ConfigInputError(
      `--subnet node: GET ${url.pathname} from the API server failed: ${(e as Error).message}`,
      'check that the node can reach the API server (hostNetwork), or pass --subnet CIDR',
    );
  }
  if (res.status === 401 || res.status === 403) {
    throw new ConfigInputError(
      `--subnet node: the API server refused GET ${url.pathname} (HTTP ${res.status})`,
      'apply the ClusterRole and ClusterRoleBinding from `podlink manifest` (get on nodes)',
    );
  }
  if (res.status !== 200)
    throw new ConfigInputError(`--subnet node: GET ${url.pathname} returned HTTP ${res.status}`, 'check NODE_NAME and the API server');
  let spec: { podCIDR?: unknown; podCIDRs?: unknown } | undefined;
  try {
    spec = (JSON.parse(res.body) as { spec?: typeof spec }).spec;
  } catch {
    throw new ConfigInputError(`--subnet node: the API server's answer for node ${node} is not JSON`);
  }
  const cidrs = Array.isArray(spec?.podCIDRs)
    ? spec.podCIDRs.filter((c): c is string => typeof c === 'string')
    : typeof spec?.podCIDR === 'string'
      ? [spec.podCIDR]
      : [];
  if (!cidrs.length) {
    throw new ConfigInputError(
      `--subnet node: node ${node} has no spec.podCIDRs`,
      'let kube-controller-manager allocate them (--allocate-node-cidrs, kubeadm --pod-network-cidr), or pass --subnet CIDR',
    );
  }
  return cidrs;
}
