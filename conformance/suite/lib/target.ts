// The plugin under test: podlink itself or a broken fake, run inside a testbed's node netns.
import * as path from 'node:path';
import type { PluginRun } from '../../support/spawn.js';
import { PODLINK, type Testbed } from './suite.js';

export type RunOpts = NonNullable<Parameters<Testbed['run']>[1]>;

/** A plugin under test, run inside a testbed's node netns. */
export interface Target {
  label: string;
  bed: Testbed;
  run(command: string, o?: RunOpts): PluginRun;
}

export function podlinkTarget(bed: Testbed): Target {
  return { label: 'podlink', bed, run: (c, o) => bed.run(c, o) };
}

/** Another executable (a broken fake); PODLINK_REAL tells the wrappers in testdata/ which podlink to run. */
export function binTarget(bed: Testbed, bin: string): Target {
  return {
    label: path.basename(bin),
    bed,
    run: (c, o = {}) => bed.runWith(bin, c, { ...o, env: { PODLINK_REAL: PODLINK, ...o.env } }),
  };
}
