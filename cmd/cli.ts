// The operator's CLI (commander): probe, status and friends. Loaded only when CNI_COMMAND is unset.
import { Command, Option } from 'commander';
import { runAgentCommand } from './agent-command.js';
import { runInstallCommand } from './install-command.js';
import { runLogsCommand } from './logs-command.js';
import { runManifestCommand } from './manifest-command.js';
import { runMetricsCommand } from './metrics-command.js';
import { addPathOptions, resolvePaths } from './path-options.js';
import { runProbeCommand } from './probe-command.js';
import { runStatusCommand } from './status-command.js';
import { runUninstallCommand } from './uninstall-command.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];
const MODES = ['auto', 'veth', 'netkit', 'netkit-l2'];

export async function runCli(argv: string[], version: string): Promise<number> {
  let code = 0;
  const program = new Command('podlink')
    .description(
      'Kubernetes CNI plugin: veth or netkit pod devices with BPF host routing.\n' +
        'Run by the container runtime with CNI_COMMAND set; these subcommands are for operators.',
    )
    .version(`podlink ${version}`, '-V, --version')
    .option('--dry-run', 'with CNI_COMMAND set: print the plan of netlink, bpf and file operations, change nothing')
    .addHelpText(
      'after',
      `
Examples:
  podlink probe --write                       probe the kernel and write /run/podlink/mode.json
  podlink status                              show the datapath mode and the endpoints on this node
  podlink install --subnet 10.244.1.0/24      install on this node (binary, mode file, conflist)
  podlink manifest | kubectl apply -f -       run podlink on every node of a cluster
  podlink logs --follow                       one line per CNI call, as they happen
  CNI_COMMAND=ADD ... podlink --dry-run < netconf.json   print what ADD would do`,
    )
    .enablePositionalOptions() // `podlink install --dry-run` is install's option, not the CNI one
    .exitOverride();

  addPathOptions(program.command('probe'), ['modeFile', 'bpfRoot'])
    .description('probe kernel features (netkit, tcx, bpffs), resolve the datapath mode, optionally write the mode file')
    .addOption(new Option('--mode <mode>', 'configured mode').choices(['auto', 'veth', 'netkit', 'netkit-l2']).default('auto'))
    .option('--write', 'write the mode file atomically')
    .option(
      '--uplink <devices>',
      'where --write attaches pl_from_uplink: auto (default-route devices), none, or names (comma-separated)',
      'auto',
    )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  podlink probe                      what would the mode be on this kernel?
  podlink probe --mode netkit        fails (exit 1) if the kernel lacks netkit
  podlink probe --mode auto --write  what the DaemonSet init container runs`,
    )
    .action((o) => {
      code = runProbeCommand({ ...o, ...resolvePaths(o) });
    });

  addPathOptions(program.command('status'), ['modeFile', 'stateDir', 'bpfRoot'])
    .description('datapath mode (as `cilium-dbg status` prints it), kernel features and the endpoints on this node')
    .option('--json', 'print JSON')
    .option('--ready', 'exit 0 only when the node can serve ADD (same checks as CNI STATUS)')
    .option('--alive', "exit 0 only while the agent's heartbeat is fresh (the DaemonSet's liveness probe)")
    .option('--max-age <seconds>', 'with --alive: the oldest heartbeat that counts as alive', '30')
    .addHelpText(
      'after',
      `
Examples:
  podlink status
  podlink status --json | jq .endpoints
  podlink status --ready && echo ready`,
    )
    .action((o) => {
      code = runStatusCommand({ ...o, ...resolvePaths(o) });
    });

  addPathOptions(program.command('install'), ['modeFile', 'stateDir', 'bpfRoot'], true)
    .description(
      'install podlink on this node: the binary into the CNI bin dir, the mode file (kernel probe), then the conflist; ' +
        'atomic and idempotent',
    )
    .option('--bin-dir <dir>', 'CNI plugin directory', '/opt/cni/bin')
    .option('--conf-dir <dir>', 'CNI config directory (05-podlink.conflist is written here)', '/etc/cni/net.d')
    .addOption(new Option('--mode <mode>', "configured datapath mode (default: the --netconf file's, else auto)").choices(MODES))
    .option('--ipam <type>', 'IPAM plugin type, e.g. host-local')
    .option('--subnet <cidr>', 'host-local subnet; repeat for dual stack; "node" reads this node\'s spec.podCIDRs (in a pod)', collect)
    .option('--netconf <file>', "podlink netconf (plugin object) to start from, e.g. the ConfigMap's; options override it")
    .option('--name <network>', "network name (default: the --netconf file's, else k8s-pod-network)")
    .option('--cni-version <version>', 'cniVersion of the conflist (default: 1.1.0, or the newest the chained plugins in --bin-dir speak)')
    .option(
      '--uplink <devices>',
      'where pl_from_uplink is attached: auto (default-route devices), none, or names (comma-separated)',
      'auto',
    )
    .option('--no-portmap', 'do not chain the portmap plugin (hostPort)')
    .option('--bandwidth', 'chain the bandwidth plugin even when it looks too old to CHECK pods without limits')
    .option('--no-bandwidth', 'do not chain the bandwidth plugin (traffic shaping; default: chained unless it is too old)')
    .option(
      '--textfile-dir <dir>',
      'node_exporter textfile directory for podlink.prom (default: /var/lib/node_exporter/textfile_collector, if it exists)',
    )
    .option('--source <file>', 'executable to install (default: this podlink executable)')
    .option('--dry-run', 'print what would change, change nothing')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Steps, in this order (each only when its content differs; a second run changes nothing):
  1. copy the executable to <bin-dir>/podlink: temp file in the same directory, fsync, rename
     (a running podlink keeps its old inode: never "text file busy")
  2. probe the kernel and write the mode file (ignoring probedAt)
  3. write <conf-dir>/05-podlink.conflist (podlink + portmap + bandwidth) atomically
  4. write podlink.prom when node_exporter's textfile directory exists

Examples:
  podlink install --ipam host-local --subnet 10.244.1.0/24 --subnet fd00:10:244:1::/64
  podlink install --subnet 10.244.1.0/24 --mode netkit --dry-run   show the plan and the conflist
  podlink install --netconf /etc/podlink/podlink.json --subnet node --bin-dir /host/opt/cni/bin --conf-dir /host/etc/cni/net.d
                                                              what the DaemonSet init container runs`,
    )
    .action(async (o) => {
      code = await runInstallCommand(o);
    });

  addPathOptions(program.command('uninstall'), ['modeFile', 'stateDir', 'bpfRoot'])
    .description('remove podlink from this node (conflist, mode file, node BPF pins, metrics file); keeps what DEL needs for running pods')
    .option('--bin-dir <dir>', 'CNI plugin directory', '/opt/cni/bin')
    .option('--conf-dir <dir>', 'CNI config directory', '/etc/cni/net.d')
    .option('--textfile-dir <dir>', 'node_exporter textfile directory', '/var/lib/node_exporter/textfile_collector')
    .option('--purge', 'also remove the binary and the metrics state, only when no endpoint record remains')
    .option('--dry-run', 'print what would be removed, change nothing')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Kept on purpose: the per-pod link pins (<bpf-root>/links), the endpoint records and the binary, so
DEL still works for pods created before the uninstall. The binary goes with --purge once no endpoint
record remains (--purge exits 1 and keeps it otherwise).

Examples:
  podlink uninstall --dry-run
  podlink uninstall
  podlink uninstall --purge          after the node's pods are gone`,
    )
    .action((o) => {
      code = runUninstallCommand({ ...o, ...resolvePaths(o) });
    });

  program
    .command('manifest')
    .description('print the Kubernetes manifest (ServiceAccount, ConfigMap, RBAC, DaemonSet) that runs podlink on every node')
    .option('--image <image>', `container image (default: ghcr.io/podlink/podlink:${version})`)
    .addOption(new Option('--mode <mode>', 'configured datapath mode').choices(MODES).default('auto'))
    .option('--namespace <ns>', 'namespace', 'kube-system')
    .option('--subnet <cidr>', "fixed host-local subnet (repeatable); default: each node's spec.podCIDRs, read at install time", collect)
    .option('--name <name>', 'object name and app label', 'podlink')
    .option('--network <name>', 'CNI network name', 'k8s-pod-network')
    .addOption(new Option('--log-level <level>', 'logLevel in the netconf').choices(['error', 'warn', 'info', 'debug']))
    .addOption(
      new Option('--routing <mode>', 'routing in the netconf: native, tunnel or auto (default auto)').choices(['native', 'tunnel', 'auto']),
    )
    .option('--tunnel-port <port>', 'tunnelPort in the netconf: the VXLAN UDP port (default 8472)')
    .option('--textfile-dir <dir>', 'node_exporter textfile directory on the hosts', '/var/lib/node_exporter/textfile_collector')
    .option(
      '--service-cidr <cidr>',
      "the cluster's service CIDR, as the API server's --service-cluster-ip-range (repeatable; default 10.96.0.0/12)",
      collect,
    )
    .addHelpText(
      'after',
      `
Examples:
  podlink manifest | kubectl apply -f -
  podlink manifest --image registry.example/podlink:0.1.0 --mode netkit > podlink.yaml
  podlink manifest --namespace podlink-system --log-level debug
  podlink manifest --routing tunnel              every node through the VXLAN tunnel`,
    )
    .action((o) => {
      code = runManifestCommand(o, version);
    });

  program
    .command('logs')
    .description('print the CNI call log as one line per call: time, command, container, interface, outcome, duration, error')
    .option('--file <path>', "log file (the netconf's logFile)", '/var/log/podlink/podlink.log')
    .option('--container <id>', 'only calls for this container ID (a prefix is enough)')
    .option('--command <cmd>', 'only ADD, DEL, CHECK, STATUS or GC calls')
    .option('--errors', 'only failed calls')
    .option('--all', "also print each call's warnings and debug lines under it")
    .option('--rotated', 'read the rotated files (file.N … file.1) first')
    .option('-n, --lines <n>', 'only the last n calls')
    .option('-f, --follow', 'keep printing new calls (follows log rotation)')
    .option('--json', 'print the matching summary records as JSON lines')
    .addHelpText(
      'after',
      `
Examples:
  podlink logs
  podlink logs --errors --rotated
  podlink logs --container 4f3a9c --all
  podlink logs -f -n 20`,
    )
    .action(async (o) => {
      code = await runLogsCommand(o);
    });

  addPathOptions(program.command('agent'), ['modeFile', 'stateDir', 'bpfRoot'])
    .description(
      "run the node agent (the DaemonSet's main container): learn the other nodes, route their pod CIDRs, keep the metrics textfile fresh",
    )
    .option('--kubeconfig <file>', 'kubeconfig for the API server (default: the in-cluster ServiceAccount)')
    .option('--nodes-file <file>', 'JSON list of {name, podCIDRs, addresses} instead of the API, re-read on change')
    .option('--node-name <name>', "this node's name (default: $NODE_NAME, else the host name)")
    .option('--service-cidr <cidr>', "the cluster's service CIDR (repeatable): no node's pod CIDR may overlap it", collect)
    .option('--netconf <file>', 'the network config (conflist or podlink netconf): routing and tunnelPort come from it')
    .addOption(
      new Option('--routing <mode>', "native, tunnel or auto (default: the netconf's, else auto)").choices(['native', 'tunnel', 'auto']),
    )
    .option('--tunnel-port <port>', "VXLAN UDP port (default: the netconf's tunnelPort, else 8472)")
    .option('--textfile-dir <dir>', 'write podlink.prom for node_exporter here (default: do not write)')
    .option('--resync <seconds>', 're-read the kernel and fix any drift this often', '30')
    .option('--dry-run', 'read the nodes once, print the routes and cluster CIDRs a reconcile would change, change nothing')
    .addOption(new Option('--log-level <level>', 'stderr log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .addHelpText(
      'after',
      `
Routes carry protocol 201 (\`ip route show proto 201\`); the agent changes no other route. routing auto
routes nodes on a directly connected subnet natively and the others through podlink_vxlan. It changes
nothing before its first full node list, and leaves routes as they are while the source is away.
agent.json and agent.alive go next to the mode file; <bpf-root> holds the pl_cidrs map it fills.

Examples:
  podlink agent --textfile-dir /var/lib/node_exporter/textfile_collector   in the DaemonSet (in-cluster)
  podlink agent --kubeconfig /etc/kubernetes/kubelet.conf --node-name node-a
  podlink agent --nodes-file /etc/podlink/nodes.json --node-name node-a    without Kubernetes`,
    )
    .action(async (o) => {
      code = await runAgentCommand({ ...o, ...resolvePaths(o) });
    });

  addPathOptions(program.command('metrics'), ['modeFile', 'stateDir'])
    .description(
      "print the Prometheus metrics (datapath mode, CNI call durations and errors); --write updates node_exporter's podlink.prom",
    )
    .option('--state-file <path>', 'aggregate state written by every CNI call', '/run/podlink/metrics.json')
    .option('--textfile-dir <dir>', 'node_exporter textfile directory', '/var/lib/node_exporter/textfile_collector')
    .option('--write', 'write <textfile-dir>/podlink.prom atomically instead of printing')
    .option('--interval <seconds>', 'with --write: keep rewriting it every so many seconds (until SIGTERM)')
    .addHelpText(
      'after',
      `
Examples:
  podlink metrics
  podlink metrics | grep podlink_datapath_config
  podlink metrics --write --interval 30     what the DaemonSet's agent container runs`,
    )
    .action(async (o) => {
      code = await runMetricsCommand({ ...o, ...resolvePaths(o) });
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    const ce = e as { exitCode?: number; code?: string };
    if (ce.code === 'commander.helpDisplayed' || ce.code === 'commander.version' || ce.code === 'commander.help') return 0;
    return ce.exitCode ?? 1;
  }
  return code;
}
