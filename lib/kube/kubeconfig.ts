// A standard kubeconfig (YAML or JSON) -> KubeConnection, for its current-context.
import * as path from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { KubeConfigError, readFileOrFail, tokenFileReader, type KubeConnection } from './config-common.js';
import { isObj, type Obj } from './json.js';

function parseDocument(text: string, file: string): Obj {
  let doc: unknown;
  try {
    doc = text.trimStart().startsWith('{') ? JSON.parse(text) : loadYaml(text);
  } catch (e) {
    throw new KubeConfigError(`the kubeconfig ${file} is neither JSON nor YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isObj(doc)) throw new KubeConfigError(`the kubeconfig ${file} is not a mapping`);
  return doc;
}

/** The `inner` mapping of the entry called `name` in a kubeconfig list (clusters, users, contexts). */
function named(doc: Obj, list: string, inner: string, name: string, file: string): Obj {
  const entries = Array.isArray(doc[list]) ? (doc[list] as unknown[]) : [];
  const entry = entries.find((e) => isObj(e) && e.name === name);
  if (!isObj(entry)) throw new KubeConfigError(`the kubeconfig ${file} has no ${list.slice(0, -1)} named ${JSON.stringify(name)}`);
  const v = entry[inner] ?? {};
  if (!isObj(v)) throw new KubeConfigError(`the kubeconfig ${file}: ${list} ${JSON.stringify(name)} has no ${inner} mapping`);
  return v;
}

function str(o: Obj, key: string, file: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new KubeConfigError(`the kubeconfig ${file}: ${key} is not a string`);
  return v;
}

/** A certificate or key: `<key>-data` (base64) wins over `<key>` (a file, relative to the kubeconfig). */
function material(o: Obj, key: string, file: string): Buffer | undefined {
  const data = str(o, `${key}-data`, file);
  if (data !== undefined) return Buffer.from(data, 'base64');
  const f = str(o, key, file);
  return f === undefined ? undefined : readFileOrFail(path.resolve(path.dirname(file), f), `kubeconfig's ${key}`);
}

export function parseKubeconfig(text: string, file: string): KubeConnection {
  const doc = parseDocument(text, file);
  const current = str(doc, 'current-context', file);
  if (current === undefined) throw new KubeConfigError(`the kubeconfig ${file} has no current-context`, 'kubectl config use-context NAME');
  const context = named(doc, 'contexts', 'context', current, file);
  const clusterName = str(context, 'cluster', file);
  if (clusterName === undefined) throw new KubeConfigError(`the kubeconfig ${file}: context ${JSON.stringify(current)} names no cluster`);
  const cluster = named(doc, 'clusters', 'cluster', clusterName, file);
  const userName = str(context, 'user', file);
  const user = userName === undefined ? {} : named(doc, 'users', 'user', userName, file);

  const server = str(cluster, 'server', file);
  if (server === undefined) throw new KubeConfigError(`the kubeconfig ${file}: cluster ${JSON.stringify(clusterName)} has no server`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new KubeConfigError(`the kubeconfig ${file}: server ${JSON.stringify(server)} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KubeConfigError(`the kubeconfig ${file}: server ${server} is neither https:// nor http://`);
  }
  for (const unsupported of ['exec', 'auth-provider']) {
    if (user[unsupported] !== undefined) {
      throw new KubeConfigError(
        `the kubeconfig ${file}: user ${JSON.stringify(userName)} uses ${unsupported}, which podlink does not run`,
        'give the agent a ServiceAccount token (token or tokenFile) or a client certificate',
      );
    }
  }
  return {
    server: `${url.origin}${url.pathname.replace(/\/+$/, '')}`,
    ca: material(cluster, 'certificate-authority', file),
    cert: material(user, 'client-certificate', file),
    key: material(user, 'client-key', file),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    authorization: authorization(user, file),
  };
}

function authorization(user: Obj, file: string): () => string | undefined {
  const token = str(user, 'token', file);
  if (token !== undefined) return () => `Bearer ${token}`;
  const tokenFile = str(user, 'tokenFile', file);
  if (tokenFile !== undefined) {
    const read = tokenFileReader(path.resolve(path.dirname(file), tokenFile), "kubeconfig's tokenFile");
    return () => `Bearer ${read()}`;
  }
  const username = str(user, 'username', file);
  if (username !== undefined) {
    const basic = `Basic ${Buffer.from(`${username}:${str(user, 'password', file) ?? ''}`).toString('base64')}`;
    return () => basic;
  }
  return () => undefined;
}
