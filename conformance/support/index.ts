// The one test-support module: unit tests, integration tests, the suite and the benchmarks build their
// netns, underlays, bpffs roots, fake IPAM and cleanup from here. Test-only: nothing in lib/ or cmd/
// (other than tests) imports it. The bench's VM guest imports single files, never this index (it would
// pull in lib/sys through netns-handle).
export * from './bpffs.js';
export * from './cleanup.js';
export * from './fake-ipam.js';
export * from './link.js';
export * from './netns-handle.js';
export * from './netns.js';
export * from './node.js';
export * from './paths.js';
export * from './pods.js';
export * from './prometheus.js';
export * from './sh.js';
export * from './spawn.js';
export * from './underlay.js';
export * from './kube-apiserver.js';
export * from './listen-in-netns.js';
export * from './kube-proxy.js';
