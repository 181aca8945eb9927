#!/usr/bin/env bash
# The test command (`npm test`): set up a fresh Debian 12 machine, build dist/podlink, then run every
# tier — type check, unit, privileged integration, conformance, and the VM tiers when /dev/kvm exists.
set -euo pipefail
cd "$(dirname "$0")/.."
# Under `npm run`, node_modules/.bin (with the Node 22 that pkg needs) precedes the system Node 20.
export PATH="/usr/bin:$PATH"
export npm_config_nodedir=/usr

bash conformance/setup.sh

tier() { printf '\n=== %s ===\n' "$*"; }
TAP=(node_modules/.bin/tap --reporter=terse)

tier "type check (tsc --strict)"
node_modules/.bin/tsc --noEmit -p .

tier "unit tests (lib/**, bpf-objects/**, cmd/**, the bench's pure parts, test support, the VM tier's rerun rule; the privileged ones skip without root)"
"${TAP[@]}" 'lib/**/*.test.ts' 'bpf-objects/**/*.test.ts' 'cmd/**/*.test.ts' 'conformance/bench/**/*.test.ts' 'conformance/support/**/*.test.ts' 'conformance/vm/*.test.ts'

if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: privileged and conformance tiers need root" >&2
  exit 0
fi

tier "privileged integration (host kernel $(uname -r))"
"${TAP[@]}" 'conformance/integration/**/*.test.ts' 'conformance/lib/**/*.test.ts'

tier "release artifacts: the OCI image (reproducible, skopeo, containerd), arm64 under qemu-aarch64"
"${TAP[@]}" 'conformance/release/*.test.ts'

tier "CRI: pods through containerd's CRI plugin, podlink installed from its image by the DaemonSet's init command"
"${TAP[@]}" 'conformance/cri/*.test.ts'

tier "multi-node: podlink agent on 4 node netns (3 on one underlay, 1 behind a router)"
"${TAP[@]}" 'conformance/multinode/**/*.test.ts'

tier "reliability and security: concurrency storm, fuzz, soak, forged input"
"${TAP[@]}" --timeout=1800 'conformance/reliability/*.test.ts'

if [[ -f conformance/suite/run.sh ]]; then
  tier "conformance suite"
  bash conformance/suite/run.sh
fi

tier "VM tiers (kvm-run)"
bash conformance/vm-tiers.sh
