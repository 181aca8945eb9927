// lib/ipam: IPAM delegation — find the plugin in CNI_PATH and run it with ADD/DEL/CHECK/STATUS/GC.
// May import: node builtins, lib/cni, lib/sys, lib/util.
export { findPlugin } from './find.js';
export {
  execIpam,
  startIpam,
  parseErrorObject,
  signalName,
  DEFAULT_IPAM_TIMEOUT_MS,
  type IpamCommand,
  type ExecIpamOptions,
  type PendingRun,
} from './exec.js';
