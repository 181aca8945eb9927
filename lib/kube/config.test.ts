import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t, { type Test } from 'tap';
import { KubeConfigError, loadConnection } from './index.js';

function tmpdir(t: Test): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `podlink-kube-config-${process.pid}-`));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

const YAML = (user: string, cluster = 'server: https://10.0.0.1:6443/') => `apiVersion: v1
kind: Config
current-context: second
clusters:
- name: c1
  cluster:
    server: https://wrong.example:1
- name: c2
  cluster:
    ${cluster}
contexts:
- name: first
  context: {cluster: c1, user: u1}
- name: second
  context:
    cluster: c2
    user: u2
users:
- name: u1
  user: {token: wrong}
- name: u2
  user:
    ${user}
`;

const CLUSTER = (more: string) => `server: https://h:1\n    ${more}`;

function write(dir: string, name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

t.test('kubeconfig (YAML): current-context picks the cluster and user; bearer token; trailing slash trimmed', async (t) => {
  const d = tmpdir(t);
  const c = loadConnection({ kubeconfig: write(d, 'kc', YAML('token: abc.def')) });
  t.equal(c.server, 'https://10.0.0.1:6443');
  t.equal(c.authorization(), 'Bearer abc.def');
  t.equal(c.insecureSkipTlsVerify, false);
  t.equal(c.ca, undefined);
});

t.test('kubeconfig (JSON), a server path prefix, and http:// for tests', async (t) => {
  const d = tmpdir(t);
  const doc = {
    'current-context': 'x',
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    clusters: [{ name: 'c', cluster: { server: 'http://127.0.0.1:8080/k8s/clusters/c-1/' } }],
    users: [{ name: 'u', user: { token: 't' } }],
  };
  const c = loadConnection({ kubeconfig: write(d, 'kc.json', JSON.stringify(doc)) });
  t.equal(c.server, 'http://127.0.0.1:8080/k8s/clusters/c-1');
  t.equal(c.authorization(), 'Bearer t');
});

t.test('kubeconfig: certificate-authority, client certificate and key from files (relative to the kubeconfig) or -data', async (t) => {
  const d = tmpdir(t);
  write(d, 'ca.pem', 'CA-PEM');
  write(d, 'cert.pem', 'CERT-PEM');
  write(d, 'key.pem', 'KEY-PEM');
  const files = loadConnection({
    kubeconfig: write(d, 'kc', YAML('client-certificate: cert.pem\n    client-key: ./key.pem', CLUSTER('certificate-authority: ca.pem'))),
  });
  t.equal(files.ca?.toString(), 'CA-PEM');
  t.equal(files.cert?.toString(), 'CERT-PEM');
  t.equal(files.key?.toString(), 'KEY-PEM');
  t.equal(files.authorization(), undefined, 'a client certificate needs no Authorization header');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const data = loadConnection({
    kubeconfig: write(
      d,
      'kc2',
      YAML(
        `client-certificate-data: ${b64('C')}\n    client-key-data: ${b64('K')}\n    client-certificate: missing.pem`,
        CLUSTER(`certificate-authority-data: ${b64('A')}\n    certificate-authority: missing.pem`),
      ),
    ),
  });
  t.same([data.ca?.toString(), data.cert?.toString(), data.key?.toString()], ['A', 'C', 'K'], '-data wins over the file');
  const insecure = loadConnection({ kubeconfig: write(d, 'kc3', YAML('token: x', CLUSTER('insecure-skip-tls-verify: true'))) });
  t.equal(insecure.insecureSkipTlsVerify, true);
  t.throws(
    () => loadConnection({ kubeconfig: write(d, 'kc4', YAML('token: x', CLUSTER('certificate-authority: nope.pem'))) }),
    /cannot read the kubeconfig's certificate-authority .*nope.pem/,
  );
});

t.test('kubeconfig: tokenFile is re-read on every request (a rotated token is used); basic auth', async (t) => {
  const d = tmpdir(t);
  write(d, 'token', 'one\n');
  const c = loadConnection({ kubeconfig: write(d, 'kc', YAML('tokenFile: token')) });
  t.equal(c.authorization(), 'Bearer one');
  write(d, 'token', 'two\n');
  t.equal(c.authorization(), 'Bearer two');
  const basic = loadConnection({ kubeconfig: write(d, 'kc2', YAML('username: admin\n    password: s3cret')) });
  t.equal(basic.authorization(), `Basic ${Buffer.from('admin:s3cret').toString('base64')}`);
  t.throws(() => loadConnection({ kubeconfig: write(d, 'kc3', YAML('tokenFile: absent')) }), /cannot read the kubeconfig's tokenFile/);
});

t.test('kubeconfig: every unusable file is a KubeConfigError that says what is wrong', async (t) => {
  const d = tmpdir(t);
  const cases: [string, string, RegExp][] = [
    ['not YAML', 'a: [b\n', /neither JSON nor YAML/],
    ['not JSON', '{"a": ', /neither JSON nor YAML/],
    ['a list', '- a\n', /not a mapping/],
    ['no current-context', 'clusters: []\n', /no current-context/],
    ['unknown context', YAML('token: x').replace('current-context: second', 'current-context: third'), /no context named "third"/],
    ['unknown cluster', YAML('token: x').replace('cluster: c2', 'cluster: c9'), /no cluster named "c9"/],
    ['unknown user', YAML('token: x').replace('user: u2', 'user: u9'), /no user named "u9"/],
    ['no server', YAML('token: x', 'insecure-skip-tls-verify: true'), /has no server/],
    ['bad server URL', YAML('token: x', 'server: "::"'), /is not a URL/],
    ['unsupported scheme', YAML('token: x', 'server: ftp://h'), /neither https:\/\/ nor http:\/\//],
    ['exec plugin', YAML('exec: {command: aws}'), /uses exec, which podlink does not run/],
    ['auth-provider', YAML('auth-provider: {name: gcp}'), /uses auth-provider/],
    ['token not a string', YAML('token: [1]'), /token is not a string/],
  ];
  for (const [name, text, want] of cases) {
    t.throws(() => loadConnection({ kubeconfig: write(d, 'kc', text) }), want, name);
    try {
      loadConnection({ kubeconfig: write(d, 'kc', text) });
    } catch (e) {
      t.type(e, KubeConfigError, `${name}: a KubeConfigError`);
    }
  }
  t.throws(() => loadConnection({ kubeconfig: path.join(d, 'absent') }), /cannot read the kubeconfig .*absent/);
});

t.test('in-cluster: KUBERNETES_SERVICE_HOST/PORT (IPv6 in brackets), the ServiceAccount token (re-read) and CA', async (t) => {
  const d = tmpdir(t);
  write(d, 'token', 'sa-1\n');
  write(d, 'ca.crt', 'SA-CA');
  const v4 = loadConnection({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, serviceAccountDir: d });
  t.equal(v4.server, 'https://10.96.0.1:443');
  t.equal(v4.ca?.toString(), 'SA-CA');
  t.equal(v4.authorization(), 'Bearer sa-1');
  write(d, 'token', 'sa-2\n');
  t.equal(v4.authorization(), 'Bearer sa-2', 'the rotated token');
  t.equal(
    loadConnection({ env: { KUBERNETES_SERVICE_HOST: 'fd00:96::1', KUBERNETES_SERVICE_PORT: '6443' }, serviceAccountDir: d }).server,
    'https://[fd00:96::1]:6443',
  );
  const noPort = loadConnection({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' }, serviceAccountDir: d });
  t.equal(noPort.server, 'https://10.96.0.1:443', 'default port');
  t.throws(() => loadConnection({ env: {}, serviceAccountDir: d }), /KUBERNETES_SERVICE_HOST is not set/);
  t.throws(
    () => loadConnection({ env: { KUBERNETES_SERVICE_HOST: 'h' }, serviceAccountDir: path.join(d, 'none') }),
    /cannot read the ServiceAccount token/,
  );
  fs.rmSync(path.join(d, 'ca.crt'));
  t.throws(() => loadConnection({ env: { KUBERNETES_SERVICE_HOST: 'h' }, serviceAccountDir: d }), /cannot read the ServiceAccount CA/);
});
