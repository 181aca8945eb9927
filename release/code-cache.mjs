// The V8 code cache of the payload bundle (build.mjs step 4), made by the very Node binary the executable
// is built on: V8 rejects a cache from another binary or flag set. The payload's top level runs once, then
// its warmCodeCache() (cmd/cache-warmup.ts: the CNI path's pure code, the same calls every build), so the
// cache also holds what a CNI call would otherwise compile on its way.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

/**
 * The payload as the executable compiles it: a CommonJS-style function. The build embeds this text, not the
 * bare bundle, so that the executable hands V8 a slice of its own source instead of a concatenation V8
 * would copy (590 kB in the young generation, a scavenge) before compiling (cmd/embedded-payload.ts).
 */
export function wrapPayload(src) {
  return `(function (exports, require, module, __filename, __dirname) {${src}\n})`;
}

/**
 * Writes the cache of `payloadFile` to `cacheFile` with `nodeBin` and returns its bytes. `warm: false` (the
 * CLI payload) takes it after the top level alone: the CLI's commands differ too much to warm one path.
 */
export function makeCodeCache(nodeBin, payloadFile, cacheFile, { warm = true } = {}) {
  const script = `
    const vm = require('node:vm'), fs = require('node:fs');
    const src = fs.readFileSync(${JSON.stringify(payloadFile)}, 'utf8');
    // Must match PAYLOAD_FILENAME in cmd/embedded-payload.ts.
    const s = new vm.Script(${JSON.stringify(wrapPayload('@SRC@'))}.replace('@SRC@', () => src), { filename: 'podlink-payload.cjs' });
    const m = { exports: {} };
    s.runInThisContext()(m.exports, require, m, '/usr/local/bin/podlink', '/usr/local/bin');
    ${warm ? 'm.exports.warmCodeCache()' : 'Promise.resolve()'}.then(() => fs.writeFileSync(${JSON.stringify(cacheFile)}, s.createCachedData()));`;
  // A fixed --random-seed fixes the string hash seed, which orders what the cache holds of the warm-up's
  // tables: with it two builds write the same bytes, without it no two did. V8 leaves this flag out of the
  // hash it checks a cache against (FlagList::Hash in src/flags/flags.cc), so the executable accepts it.
  // And an empty environment, through env(1) so that no parent can add to it (tap adds NODE_OPTIONS to the
  // node processes its tests start): the cache records the script's id, i.e. how many scripts Node
  // compiled before it, which a preloaded module changes.
  const argv = ['-i', 'PATH=/usr/bin:/bin', nodeBin, '--random-seed=1', '-e', script];
  const r = spawnSync('/usr/bin/env', argv, { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`making the payload code cache failed (status ${r.status}, signal ${r.signal}): ${r.stderr}`);
  return fs.readFileSync(cacheFile);
}
