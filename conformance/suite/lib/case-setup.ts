// What each core check starts from: the case (cniVersion, mode), its config, and container ids and pod
// netns names unique in this process.
import type { Json } from './json.js';
import type { Target } from './target.js';

export interface Case {
  version: string;
  mode: string;
}

export function confFor(tg: Target, c: Case, extra: Json = {}): Json {
  return tg.bed.conf({ cniVersion: c.version, mode: c.mode, extra });
}

let seq = 0;
export function cid(tag: string): string {
  seq++;
  return `${tag}-${process.pid}-${seq}`;
}

/** A pod netns with a name unique in this process (a check may make several in one testbed). */
export function newPod(tg: Target, tag: string): string {
  seq++;
  return tg.bed.pod(`${tag}${seq}`);
}
