// The operator's CLI (commander): probe, status and friends. Loaded only when CNI_COMMAND is unset.
import { Command, Option } from 'commander';
import { runProbeCommand } from './probe-command.js';
import { runStatusCommand } from './status-command.js';

export async function runCli(argv: string[], version: string): Promise<number> {
  let code = 0;
  const program = new Command('podlink')
    .description('Kubernetes CNI plugin: veth or netkit pod devices with BPF host routing.\nRun by the container runtime with CNI_COMMAND set; these subcommands are for operators.')
    .version(`podlink ${version}`, '-V, --version')
    .option('--dry-run', 'with CNI_COMMAND set: print the plan of netlink, bpf and file operations, change nothing')
    .addHelpText('after', `
Examples:
  podlink probe --write                       probe the kernel and write /run/podlink/mode.json
  podlink status                              show the datapath mode and the endpoints on this node
  CNI_COMMAND=ADD ... podlink --dry-run < netconf.json   print what ADD would do`)
    .exitOverride();

  program
    .command('probe')
    .description('probe kernel features (netkit, tcx, bpffs), resolve the datapath mode, optionally write the mode file')
    .addOption(new Option('--mode <mode>', 'configured mode').choices(['auto', 'veth', 'netkit', 'netkit-l2']).default('auto'))
    .option('--write', 'write the mode file atomically')
    .option('--mode-file <path>', 'mode file path', '/run/podlink/mode.json')
    .option('--json', 'print JSON')
    .addHelpText('after', `
Examples:
  podlink probe                      what would the mode be on this kernel?
  podlink probe --mode netkit        fails (exit 1) if the kernel lacks netkit
  podlink probe --mode auto --write  what the DaemonSet init container runs`)
    .action((o) => {
      code = runProbeCommand(o);
    });

  program
    .command('status')
    .description('datapath mode (as `cilium-dbg status` prints it), kernel features and the endpoints on this node')
    .option('--json', 'print JSON')
    .option('--ready', 'exit 0 only when the node can serve ADD (same checks as CNI STATUS)')
    .option('--mode-file <path>', 'mode file path', '/run/podlink/mode.json')
    .option('--state-dir <path>', 'state directory', '/var/lib/podlink')
    .option('--bpf-root <path>', 'BPF pin root', '/sys/fs/bpf/podlink')
    .addHelpText('after', `
Examples:
  podlink status
  podlink status --json | jq .endpoints
  podlink status --ready && echo ready`)
    .action((o) => {
      code = runStatusCommand(o);
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
