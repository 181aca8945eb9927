// What kind of bpf object an fd refers to: readlink /proc/self/fd/N says anon_inode:bpf-{map,prog,link}.
import * as fs from 'node:fs';

export type BpfObjectKind = 'map' | 'prog' | 'link' | 'unknown';

export function bpfFdKind(fd: number): BpfObjectKind {
  let target: string;
  try {
    target = fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return 'unknown';
  }
  const m = /^anon_inode:bpf-(map|prog|link)$/.exec(target);
  return m ? (m[1] as BpfObjectKind) : 'unknown';
}
