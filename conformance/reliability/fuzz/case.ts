// What a fuzz case is: the environment and stdin of one plugin call, and what a correct plugin does with it.
import type { Testbed } from '../../integration/testbed.js';

export const SUPPORTED = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'];
export const LATEST = '1.1.0';

export type Expect =
  /** exit != 0, one CNI error object with one of these codes. */
  | { kind: 'error'; codes: number[]; msg?: RegExp }
  /** exit 0, nothing on stdout (DEL, STATUS, GC). */
  | { kind: 'empty' }
  /** exit 0 with a result (ADD), which is then CHECKed (when the version allows) and DELeted. */
  | { kind: 'result' }
  /** Either of the two: the kernel or the config may legitimately refuse. */
  | { kind: 'result-or-error'; codes: number[] }
  /** Either exit 0 with empty stdout or one error object with these codes. */
  | { kind: 'empty-or-error'; codes: number[] }
  /** VERSION's answer. */
  | { kind: 'version' }
  /** No CNI_COMMAND: the operator CLI; nothing on stdout. */
  | { kind: 'cli' };

export interface FuzzCase {
  i: number;
  family: string;
  /** Goes through ADD steps that touch the kernel. */
  kernel: boolean;
  /** CNI_COMMAND; undefined leaves it out. */
  command?: string;
  containerId?: string;
  netns?: string;
  ifname?: string;
  args?: string;
  cniPath?: string;
  env: Record<string, string>;
  stdin: string;
  expect: Expect;
  note: string;
}

/** What a case may refer to on the worker that runs it. */
export interface FuzzCtx {
  bed: Testbed;
  pod: string;
  regularFile: string;
  directory: string;
  fakeDir: string;
  fakeLog: string;
  corruptModeFile: string;
}

export type Json = Record<string, unknown>;
