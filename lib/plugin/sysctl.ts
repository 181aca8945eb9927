// /proc/sys writes. /proc/sys/net resolves against the netns of the thread that opens the file, so a
// call made inside inNetns() configures the pod's netns and one made outside configures the host's.
import * as fs from 'node:fs';

/** Interface names may contain dots; sysctl keys for them must be built with this. */
export function ifSysctl(proto: 'ipv4' | 'ipv6', ifname: string, leaf: string): string {
  return `/proc/sys/net/${proto}/conf/${ifname}/${leaf}`;
}

export function writeSysctl(file: string, value: string): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, value);
  } finally {
    fs.closeSync(fd);
  }
}

export function readSysctl(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Writes only when the value differs. A write is not free even when it changes nothing: the
 * node-wide IPv6 forwarding switch walks every device of the netns under rtnl
 * (net/ipv6/addrconf.c, addrconf_fixup_forwarding), which grows with the number of pods.
 */
export function ensureSysctl(file: string, value: string): void {
  if (readSysctl(file) !== value) writeSysctl(file, value);
}
