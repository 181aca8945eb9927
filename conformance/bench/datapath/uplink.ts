// The podlink library calls the bench makes itself: the BPF counters that show which path the
// measured traffic took.
import * as fs from 'node:fs';
import { readCounters } from '../../../lib/datapath/index.js';
import { nativeSys, type Sys } from '../../../lib/sys/index.js';
import { sh } from '../../support/sh.js';

let sys: Sys | undefined;

/** The native addon, installed into the run's own directory (not /run/podlink/lib). */
function sysIn(libDir: string): Sys {
  fs.mkdirSync(libDir, { recursive: true, mode: 0o700 });
  sys ??= nativeSys(libDir);
  return sys;
}

export function ifindexOf(ns: string, dev: string): number {
  const j = JSON.parse(sh('ip', ['-n', ns, '-j', 'link', 'show', 'dev', dev])) as { ifindex: number }[];
  return j[0]!.ifindex;
}

export function mtuOf(ns: string, dev: string): number {
  return (JSON.parse(sh('ip', ['-n', ns, '-j', 'link', 'show', 'dev', dev])) as { mtu: number }[])[0]!.mtu;
}

/** Packets a device sent and received (`ip -s`), e.g. a vxlan device's encapsulated and decapsulated packets. */
export function linkPackets(ns: string, dev: string): { tx: number; rx: number } {
  const s = (JSON.parse(sh('ip', ['-n', ns, '-j', '-s', 'link', 'show', 'dev', dev])) as { stats64: { tx: { packets: number }; rx: { packets: number } } }[])[0]!.stats64;
  return { tx: s.tx.packets, rx: s.rx.packets };
}

export interface PathCounters {
  redirectLocal: number;
  redirectFib: number;
  passStack: number;
}

/** Packets counted by the datapath for the device with this ifindex (pinned maps are not per netns). */
export function pathCounters(libDir: string, bpfRoot: string, ifindex: number): PathCounters {
  const c = readCounters(sysIn(libDir), bpfRoot, ifindex);
  return { redirectLocal: Number(c.redirectLocal.packets), redirectFib: Number(c.redirectFib.packets), passStack: Number(c.passStack.packets) };
}
