// What a kube-proxy ClusterIP path needs in a test: the DNAT rule kube-proxy would install, and a one-shot
// TCP server behind it that names the client it saw. Used by the datapath tests (veth and netkit) that
// check NATed flows stay on the stack (docs/architecture.md#why-two-hooks).
import { spawn } from 'node:child_process';
import type { TestNetns } from './netns-handle.js';

/** kube-proxy's ClusterIP rule in the node netns: TCP to vip:80 is DNATed to backend:8080. */
export function clusterIpDnat(node: Pick<TestNetns, 'exec'>, vip: string, backend: string): void {
  node.exec('iptables', `-t nat -A PREROUTING -d ${vip}/32 -p tcp --dport 80 -j DNAT --to-destination ${backend}:8080`.split(' '));
}

/**
 * A one-shot TCP server on addr:8080 in netns (Python): answers "hello <client address>" and then `more`
 * (a Python bytes expression appended to the reply). Resolves once it listens; killed at teardown.
 */
export async function helloServer(t: { teardown(fn: () => void): void }, netns: string, addr: string, more: string): Promise<void> {
  const script = [
    'import socket',
    `s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("${addr}", 8080)); s.listen(4)`,
    'print("ready", flush=True); s.settimeout(15)',
    `c, a = s.accept(); c.sendall(b"hello " + a[0].encode()${more}); c.close()`,
  ].join('\n');
  const server = spawn('ip', ['netns', 'exec', netns, '/usr/bin/python3', '-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => server.kill());
  await new Promise<void>((resolve, reject) => {
    server.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    server.on('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
}

/** From inside netns: connect to vip:80 and return what the server said (throws on a timeout). */
export function fetchHello(pod: Pick<TestNetns, 'exec'>, vip: string): string {
  const script = ['import socket', `s = socket.create_connection(("${vip}", 80), timeout=5)`, 'print(s.recv(100).decode())'].join('\n');
  return pod.exec('/usr/bin/python3', ['-c', script]).trim();
}
