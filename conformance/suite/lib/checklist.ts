// The acceptance checklist (CNI-CHECKLIST.md, shared with the team) as data: one entry per "- [ ]"
// item, in document order, with a short title. `na` says why no case of this suite can give evidence
// for the item (a runtime's duty, an environment fact, an optional behaviour podlink does not offer);
// `seeAlso` points at existing tests that cover it elsewhere, so the suite does not duplicate them.
// Case ids are "<section>.<n>", n counting the items of that (sub)section from 1.
// Imports: nothing.

export interface ChecklistItem {
  id: string;
  title: string;
  na?: string;
  seeAlso?: string;
}

const RUNTIME = 'a runtime obligation: nothing for the plugin to do';
const PLUGIN_TESTS = 'conformance/integration/plugin.test.ts';

export const CHECKLIST: readonly ChecklistItem[] = [
  { id: '§0.1', title: 'spec versions 0.1.0 … 1.1.0 (1.1.0 adds STATUS, GC, 1.1-only fields, codes 50/51)' },
  { id: '§0.2', title: 'Debian 12: reference plugins/libcni up to 1.0.0, no STATUS/GC in libcni 1.1.2', na: 'a fact about the test environment; 1.1.0 paths are driven by the suite\'s exec driver instead of libcni' },
  { id: '§0.3', title: 'libcni sends STATUS/GC only for >= 1.1.0 and CHECK only for >= 0.4.0 (podlink gates the same way)' },

  { id: '§1.1', title: 'one executable, run in the runtime\'s netns; enters CNI_NETNS for container work' },
  { id: '§1.2', title: 'config on stdin, read to EOF; code 5 when the read fails' },
  { id: '§1.3', title: 'success: result on stdout and exit 0; failure: non-zero exit' },
  { id: '§1.4', title: 'errors: an error object on stdout' },
  { id: '§1.5', title: 'stdout carries only the JSON document (logs on stderr)' },
  { id: '§1.6', title: 'no CNI_COMMAND: optional "about" text, exit 0' },
  { id: '§1.7', title: 'concurrent executions for different containers; shared state locked' },
  { id: '§1.8', title: 'DEL follows every ADD, even a failed one: DEL copes with half-built state' },
  { id: '§1.9', title: 'network configuration does not change between ADD and DEL', na: RUNTIME },
  { id: '§1.10', title: 'libcni retries on "text file busy"; replace the binary atomically', na: 'installer behaviour (podlink install), not a CNI call; see cmd/install-command.test.ts' },

  { id: '§2.1', title: 'missing or invalid required variables: code 4 naming them' },
  { id: '§2.2', title: 'unknown CNI_COMMAND: code 4' },
  { id: '§2.3', title: 'CNI_CONTAINERID non-empty and ^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$' },
  { id: '§2.4', title: 'unusable CNI_IFNAME (> 15 chars, /, :, whitespace, . or ..) is an error' },
  { id: '§2.5', title: 'DEL with CNI_NETNS empty, absent or already deleted succeeds' },
  { id: '§2.6', title: 'CNI_NETNS equal to the plugin\'s own netns refused (reference skel, not spec)', na: 'reference-code behaviour, explicitly not spec; not required of podlink' },
  { id: '§2.7', title: 'CNI_ARGS: never fail on unknown keys; do not rely on key order (containerd sends IgnoreUnknown=1;K8S_POD_*)' },
  { id: '§2.8', title: 'CNI_PATH is a ":" list used only to find delegated plugins; needed only when delegating' },
  { id: '§2.9', title: 'CNI_PATH may differ between ADD and CHECK' },

  { id: '§3.1', title: 'cniVersion: answer in it; unsupported → code 1; missing → legacy 0.1.0' },
  { id: '§3.2', title: 'name: required, ^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$; else code 7' },
  { id: '§3.3', title: 'type: the plugin binary name', na: 'used by the runtime to find the binary; exercised by every cnitool case' },
  { id: '§3.4', title: 'ipam: opaque, handed to the delegated plugin' },
  { id: '§3.5', title: 'dns: copied into the result when supported' },
  { id: '§3.6', title: 'ipMasq: masquerade on the host when supported', na: 'optional well-known key; podlink does not implement ipMasq (README "Network configuration")' },
  { id: '§3.7', title: 'args: unknown keys ignored (args.cni.ips/labels are conventions)' },
  { id: '§3.8', title: 'runtimeConfig: dynamic data read only from runtimeConfig' },
  { id: '§3.9', title: 'capabilities present in the request: tolerated' },
  { id: '§3.10', title: 'prevResult: absent for the first plugin on ADD; the final result on CHECK/DEL' },
  { id: '§3.11', title: 'cni.dev/valid-attachments (GC only); accept cni.dev/attachments too' },
  { id: '§3.12', title: 'runtimeConfig, args and cni.dev/* are reserved for the runtime', na: RUNTIME },
  { id: '§3.13', title: 'unknown keys tolerated (chaining with newer runtimes)' },
  { id: '§3.14', title: 'list-level fields (cniVersions, disableCheck, disableGC, …) never reach the plugin', na: RUNTIME },
  { id: '§3.15', title: 'bad JSON: code 6' },

  { id: '§4 ADD.1', title: 'an interface plugin creates CNI_IFNAME inside CNI_NETNS' },
  { id: '§4 ADD.2', title: 'CNI_IFNAME already exists in the container: error, checked before allocating' },
  { id: '§4 ADD.3', title: 'result in the requested cniVersion (result cniVersion equals the input\'s)' },
  { id: '§4 ADD.4', title: 'prevResult given: output = prevResult + own changes' },
  { id: '§4 ADD.5', title: 'every created interface listed, host peer included; sandbox; ips[].interface' },
  { id: '§4 ADD.6', title: 'failure after IPAM ADD: IPAM DEL and partial links removed before returning', seeAlso: `${PLUGIN_TESTS} "ADD that fails after IPAM and the link rolls everything back"` },
  { id: '§4 ADD.7', title: 'same container may join again under a different ifname' },
  { id: '§4 ADD.8', title: 'host side effects documented (net.ipv4.ip_forward=1)' },
  { id: '§4 DEL.1', title: 'DEL removes CNI_IFNAME / undoes ADD and releases the IPAM allocation' },
  { id: '§4 DEL.2', title: 'best-effort and idempotent: repeated DEL, missing interface, no prevResult, netns gone' },
  { id: '§4 DEL.3', title: 'what to delete is worked out without prevResult (name, containerID, ifname)', seeAlso: `${PLUGIN_TESTS} "DEL never deletes a foreign link that has the derived name"` },
  { id: '§4 DEL.4', title: 'chains DELeted in reverse order, every plugin gets the final ADD result' },
  { id: '§4 DEL.5', title: 'DEL prints nothing on success' },
  { id: '§4 CHECK.1', title: 'CHECK only from 0.4.0: below that code 1' },
  { id: '§4 CHECK.2', title: 'CHECK uses prevResult; without one: an error' },
  { id: '§4 CHECK.3', title: 'CHECK allows for later chained plugins having changed things (routes)' },
  { id: '§4 CHECK.4', title: 'CHECK errors when a created resource listed in prevResult is missing or wrong', seeAlso: `${PLUGIN_TESTS} (address removed → CHECK names it)` },
  { id: '§4 CHECK.5', title: 'CHECK errors on broken state the Result does not track (IP reservations, …)' },
  { id: '§4 CHECK.6', title: 'CHECK errors when the container is known to be unreachable', na: 'SHOULD with no observable trigger podlink knows of; not exercised' },
  { id: '§4 CHECK.7', title: 'CHECK straight after ADD works' },
  { id: '§4 CHECK.8', title: 'CHECK runs the IPAM plugin with CHECK and passes its errors on' },
  { id: '§4 CHECK.9', title: 'CHECK prints nothing on success' },
  { id: '§4 CHECK.10', title: 'no CHECK with disableCheck, before ADD, or after DEL', na: RUNTIME },
  { id: '§4 CHECK.11', title: 'go-cni\'s built-in 0.3.1 loopback makes go-cni Check() fail', na: 'a go-cni limitation, independent of the plugin' },
  { id: '§4 STATUS.1', title: 'STATUS: 0 when ready for ADD, else 50 (or 51) with an error object' },
  { id: '§4 STATUS.2', title: 'STATUS input: config, CNI_COMMAND, optional CNI_PATH; no container variables' },
  { id: '§4 STATUS.3', title: 'STATUS runs the delegated IPAM plugin with STATUS' },
  { id: '§4 STATUS.4', title: 'ADD and DEL keep working whether or not STATUS was called or failed' },
  { id: '§4 STATUS.5', title: 'STATUS only for a config cniVersion >= 1.1.0' },
  { id: '§4 VERSION.1', title: 'VERSION needs only CNI_COMMAND; stdin may be empty' },
  { id: '§4 VERSION.2', title: 'VERSION answers {cniVersion, supportedVersions}' },
  { id: '§4 VERSION.3', title: 'supportedVersions lists exactly the versions podlink reads and writes' },
  { id: '§4 GC.1', title: 'GC input: config + cni.dev/valid-attachments; env CNI_COMMAND and CNI_PATH only' },
  { id: '§4 GC.2', title: 'GC removes everything of attachments absent from the list, nothing of valid ones' },
  { id: '§4 GC.3', title: 'GC carries on after an error, reports all at the end; prints nothing on success' },
  { id: '§4 GC.4', title: 'GC is forwarded to delegated plugins (IPAM)' },
  { id: '§4 GC.5', title: 'no GC with disableGC; GC never replaces DEL', na: RUNTIME },

  { id: '§5.1', title: 'result shapes per version (0.2.0 ip4/ip6; 0.3.x/0.4.0 ips[].version; 1.x none)' },
  { id: '§5.2', title: '0.3.0 results use "ips", not "ip"' },
  { id: '§5.3', title: 'version conversion (prevResult in, result out) is lossless where the spec says so' },
  { id: '§5.4', title: 'IPAM results are abbreviated: the main plugin fills interfaces and ips[].interface' },
  { id: '§5.5', title: 'results always carry cniVersion' },
  { id: '§5.6', title: 'interfaces list and ips[].interface always filled in' },

  { id: '§6.1', title: 'error shape {cniVersion, code, msg, details?} in the config\'s version' },
  { id: '§6.2', title: 'codes 0–99 reserved; plugin-specific codes >= 100', seeAlso: `${PLUGIN_TESTS} (code 100 for netkit on a kernel without it)` },
  { id: '§6.3', title: 'reference-only codes 8 and 999', na: 'informational: codes the reference Go code uses' },
  { id: '§6.4', title: 'no code 3 for a DEL whose netns is gone: success' },

  { id: '§7.1', title: 'chained ADD: output = input prevResult + own changes; nothing dropped' },
  { id: '§7.2', title: 'a plugin that changes nothing outputs prevResult', na: 'podlink always adds an interface' },
  { id: '§7.3', title: 'DEL and CHECK get the final ADD result' },
  { id: '§7.4', title: 'prevResult arrives in the request\'s cniVersion' },
  { id: '§7.5', title: 'an interface plugin not first in a chain uses/keeps the prevResult interfaces' },
  { id: '§7.6', title: 'the runtime stores the final result and deletes it after DEL', na: RUNTIME },

  { id: '§8.1', title: 'IPAM binary searched in CNI_PATH in order, never $PATH' },
  { id: '§8.2', title: 'IPAM run with the same environment and the complete config' },
  { id: '§8.3', title: 'IPAM stderr copied to the plugin\'s stderr' },
  { id: '§8.4', title: 'IPAM success = exit 0 + abbreviated result; its error object passed on' },
  { id: '§8.5', title: 'CHECK, DEL, GC and STATUS also run the delegated plugin' },
  { id: '§8.6', title: 'ADD failing after IPAM ADD runs IPAM DEL before returning' },
  { id: '§8.7', title: 'host-local facts (dataDir layout, round robin, lock serialises concurrent ADDs)', na: 'facts about host-local; its locking is exercised by the concurrency case (§1.7)' },

  { id: '§9.1', title: 'capabilities declared per plugin; runtime injects declared and provided ones' },
  { id: '§9.2', title: 'containerd go-cni PascalCase runtimeConfig keys accepted' },
  { id: '§9.3', title: 'args.cni.ips / args.cni.labels ignored if not understood' },
  { id: '§9.4', title: 'args.cni.ips wins over CNI_ARGS IP= when args is understood', na: 'podlink interprets neither args.cni.ips nor CNI_ARGS IP=: both reach the IPAM plugin unchanged (§8.2 case), which decides' },
  { id: '§9.5', title: 'K8S_POD_* identity in CNI_ARGS (with IgnoreUnknown=1) accepted' },

  { id: '§10.1', title: 'veth deletion is the expensive kernel step (~20 ms)', na: 'a performance fact; see conformance/bench' },
  { id: '§10.2', title: 'netns destroyed → kernel removed the pair: DEL treats "host veth not found" as success' },
  { id: '§10.3', title: 'netkit cannot be tested on a kernel without CONFIG_NETKIT', na: 'netkit cases are skipped by the suite where podlink\'s probe finds no netkit' },
];

export const ITEM_IDS: ReadonlySet<string> = new Set(CHECKLIST.map((i) => i.id));
