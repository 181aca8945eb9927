// cnitool: a cnitool-compatible command line runtime for the podlink
// conformance suite.
//
// It owns one thing: turning `cnitool VERB NET NETNS` plus the usual
// environment variables into one libcni call, so that podlink can be driven
// by the same runtime library that containerd and CRI-O use. It imports only
// the Go standard library and Debian's libcni 1.1.2 (golang-github-appc-cni-dev),
// and is built offline in GOPATH mode by build.sh next to this file.
//
// Behaviour kept compatible with upstream cnitool (containernetworking/cni):
//   - NETCONFPATH (default /etc/cni/net.d) is searched with libcni.LoadConfList,
//     which tries *.conflist first and then up-converts a single *.conf/*.json.
//   - CNI_PATH is a ':'-separated plugin search path.
//   - CNI_IFNAME defaults to eth0 only when unset (set-but-empty is passed on,
//     so a suite can provoke the plugin's "bad ifname" error).
//   - CNI_ARGS is "K=V;K2=V2"; CAP_ARGS is a JSON object injected as the
//     runtime's capability arguments (runtimeConfig for declared capabilities).
//   - The container ID is "cnitool-" + hex(sha512(absolute netns path)[:10]),
//     as upstream derives it.
//   - ADD prints the result JSON on stdout; errors go to stderr with exit 1.
//
// podlink additions (not in upstream cnitool):
//   - CNI_CONTAINERID, when non-empty, overrides the derived container ID.
//   - CNI_CACHE_DIR, when non-empty, replaces libcni's result cache directory
//     (/var/lib/cni), so tests can keep their state inside the checkout.
//   - An empty NETNS argument ("") is passed on as an empty CNI_NETNS (DEL
//     after the sandbox is gone) instead of being made absolute.
//   - gc and status exit 2 with an explanation: libcni 1.1.2 predates them.
//   - A plugin error is printed as "CNI error <code>: <msg>" so tests can
//     assert the code without parsing libcni's wording.
package main

import (
	"context"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
)

const (
	defaultNetConfPath = "/etc/cni/net.d"
	defaultIfName      = "eth0"

	exitOK          = 0
	exitFailure     = 1
	exitUnsupported = 2
)

// invocation is everything one run needs, gathered before any side effect.
type invocation struct {
	verb     string
	netName  string
	netns    string
	confDir  string
	cniPath  []string
	cacheDir string
	runtime  *libcni.RuntimeConf
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(argv []string) int {
	if len(argv) >= 1 && (argv[0] == "gc" || argv[0] == "status") {
		fmt.Fprintf(os.Stderr,
			"cnitool: %q is a CNI 1.1.0 verb and this cnitool is built on libcni 1.1.2, which has no %s support.\n"+
				"cnitool: GC and STATUS are driven by the conformance suite's exec driver (conformance/lib/exec-driver.ts) instead.\n",
			argv[0], strings.ToUpper(argv[0]))
		return exitUnsupported
	}
	if len(argv) != 3 {
		usage()
		return exitFailure
	}
	switch argv[0] {
	case "add", "check", "del":
	default:
		fmt.Fprintf(os.Stderr, "cnitool: unknown verb %q\n", argv[0])
		usage()
		return exitFailure
	}

	inv, err := gather(argv[0], argv[1], argv[2])
	if err != nil {
		fmt.Fprintf(os.Stderr, "cnitool: %v\n", err)
		return exitFailure
	}
	return execute(inv)
}

// gather reads the arguments and environment into an invocation.
func gather(verb, netName, netnsArg string) (*invocation, error) {
	inv := &invocation{verb: verb, netName: netName}

	inv.confDir = os.Getenv("NETCONFPATH")
	if inv.confDir == "" {
		inv.confDir = defaultNetConfPath
	}
	inv.cniPath = filepath.SplitList(os.Getenv("CNI_PATH"))
	inv.cacheDir = os.Getenv("CNI_CACHE_DIR")

	if netnsArg != "" {
		abs, err := filepath.Abs(netnsArg)
		if err != nil {
			return nil, fmt.Errorf("netns path %q: %w", netnsArg, err)
		}
		inv.netns = abs
	}

	ifName, set := os.LookupEnv("CNI_IFNAME")
	if !set {
		ifName = defaultIfName
	}

	containerID := os.Getenv("CNI_CONTAINERID")
	if containerID == "" {
		containerID = deriveContainerID(inv.netns)
	}

	cniArgs, err := parseCNIArgs(os.Getenv("CNI_ARGS"))
	if err != nil {
		return nil, err
	}
	capArgs, err := parseCapArgs(os.Getenv("CAP_ARGS"))
	if err != nil {
		return nil, err
	}

	inv.runtime = &libcni.RuntimeConf{
		ContainerID:    containerID,
		NetNS:          inv.netns,
		IfName:         ifName,
		Args:           cniArgs,
		CapabilityArgs: capArgs,
	}
	return inv, nil
}

// deriveContainerID follows upstream cnitool: the first 10 bytes of the
// SHA-512 of the absolute netns path, hex-encoded, behind "cnitool-".
func deriveContainerID(netnsPath string) string {
	sum := sha512.Sum512([]byte(netnsPath))
	return "cnitool-" + hex.EncodeToString(sum[:10])
}

// parseCNIArgs splits "K=V;K2=V2" into pairs. Empty keys or values are
// rejected, as upstream does; a value may itself contain '='.
func parseCNIArgs(raw string) ([][2]string, error) {
	if raw == "" {
		return nil, nil
	}
	var pairs [][2]string
	for _, item := range strings.Split(raw, ";") {
		key, value, found := strings.Cut(item, "=")
		if !found || key == "" || value == "" {
			return nil, fmt.Errorf("CNI_ARGS: invalid pair %q (want KEY=VALUE)", item)
		}
		pairs = append(pairs, [2]string{key, value})
	}
	return pairs, nil
}

// parseCapArgs decodes CAP_ARGS, a JSON object of capability name → value.
func parseCapArgs(raw string) (map[string]interface{}, error) {
	if raw == "" {
		return nil, nil
	}
	var capArgs map[string]interface{}
	if err := json.Unmarshal([]byte(raw), &capArgs); err != nil {
		return nil, fmt.Errorf("CAP_ARGS: not a JSON object: %w", err)
	}
	return capArgs, nil
}

// execute loads the network and performs the verb through libcni.
func execute(inv *invocation) int {
	list, err := libcni.LoadConfList(inv.confDir, inv.netName)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cnitool: load network %q from %s: %v\n", inv.netName, inv.confDir, err)
		return exitFailure
	}

	cni := libcni.NewCNIConfigWithCacheDir(inv.cniPath, inv.cacheDir, nil)
	ctx := context.Background()

	switch inv.verb {
	case "add":
		result, err := cni.AddNetworkList(ctx, list, inv.runtime)
		if result != nil {
			if perr := result.Print(); perr != nil {
				fmt.Fprintf(os.Stderr, "cnitool: print result: %v\n", perr)
				return exitFailure
			}
		}
		return report(inv, err)
	case "check":
		return report(inv, cni.CheckNetworkList(ctx, list, inv.runtime))
	case "del":
		return report(inv, cni.DelNetworkList(ctx, list, inv.runtime))
	}
	return exitFailure
}

// report prints err (if any) and returns the exit code.
func report(inv *invocation, err error) int {
	if err == nil {
		return exitOK
	}
	var cniErr *types.Error
	if errors.As(err, &cniErr) {
		fmt.Fprintf(os.Stderr, "cnitool: %s %s: CNI error %d: %v\n", inv.verb, inv.netName, cniErr.Code, cniErr)
	} else {
		fmt.Fprintf(os.Stderr, "cnitool: %s %s: %v\n", inv.verb, inv.netName, err)
	}
	return exitFailure
}

func usage() {
	fmt.Fprint(os.Stderr, `usage: cnitool add|check|del|gc|status <net> <netns-path>

  <net>         network name, looked up in $NETCONFPATH (default /etc/cni/net.d),
                *.conflist first, then *.conf / *.json
  <netns-path>  e.g. /run/netns/NAME; "" passes an empty CNI_NETNS (DEL only)

environment: CNI_PATH, CNI_IFNAME (default eth0), CNI_ARGS (K=V;K2=V2),
             CAP_ARGS (JSON object), CNI_CONTAINERID (default derived from the
             netns path), CNI_CACHE_DIR (default /var/lib/cni)
gc and status exit 2: libcni 1.1.2 has neither; use the suite's exec driver.
`)
}
