// The node_exporter textfile: <dir>/podlink.prom, replaced atomically (node_exporter may read at any time).
// May import: node builtins, lib/util, ./state.
import * as path from 'node:path';
import { replaceFile } from './state.js';
import { mkdirp } from '../util/index.js';

export const DEFAULT_TEXTFILE_DIR = '/var/lib/node_exporter/textfile_collector';
export const TEXTFILE_NAME = 'podlink.prom';

export function textfilePath(dir = DEFAULT_TEXTFILE_DIR): string {
  return path.join(dir, TEXTFILE_NAME);
}

/** Writes <dir>/podlink.prom; creates the directory only when asked (node_exporter may not be installed). */
export function writeTextfile(dir: string, content: string, opts: { create?: boolean } = {}): string {
  if (opts.create) mkdirp(dir);
  const file = textfilePath(dir);
  replaceFile(file, content);
  return file;
}
