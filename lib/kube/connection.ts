// Where the API server is and how to authenticate to it: in-cluster (ServiceAccount) or a kubeconfig.
import * as fs from 'node:fs';
import { KubeConfigError, readFileOrFail, tokenFileReader, type KubeConnection } from './config-common.js';
import { parseKubeconfig } from './kubeconfig.js';

export interface ConnectionOptions {
  kubeconfig?: string;
  env?: NodeJS.ProcessEnv;
  serviceAccountDir?: string;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function inCluster(env: NodeJS.ProcessEnv, dir: string): KubeConnection {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT || '443';
  if (!host) {
    throw new KubeConfigError('not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST is not set', 'pass --kubeconfig FILE');
  }
  const token = tokenFileReader(`${dir}/token`, 'ServiceAccount token');
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFileOrFail(`${dir}/ca.crt`, 'ServiceAccount CA'),
    insecureSkipTlsVerify: false,
    authorization: () => `Bearer ${token()}`,
  };
}

/** The connection from opts.kubeconfig, else from the pod's ServiceAccount. Throws KubeConfigError. */
export function loadConnection(opts: ConnectionOptions): KubeConnection {
  if (opts.kubeconfig === undefined) return inCluster(opts.env ?? process.env, opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
  let text: string;
  try {
    text = fs.readFileSync(opts.kubeconfig, 'utf8');
  } catch (e) {
    throw new KubeConfigError(`cannot read the kubeconfig ${opts.kubeconfig}: ${(e as Error).message}`);
  }
  return parseKubeconfig(text, opts.kubeconfig);
}
