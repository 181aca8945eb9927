// lib/connector: modes, the mode file, the netkit probe, and the pod's device pair.
// May import: lib/netlink, lib/netns, lib/sys, lib/util. Never lib/bpf.
export * from './mode.js';
export * from './errors.js';
export * from './resolve.js';
export * from './names.js';
export * from './mode-file.js';
export * from './probe-netkit.js';
export * from './link-pair.js';
export * from './pair-config.js';
export * from './tunnel-file.js';
