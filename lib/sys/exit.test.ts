import { spawnSync } from 'node:child_process';
import t from 'tap';

const root = process.geteuid?.() === 0;
const index = new URL('./index.ts', import.meta.url).href;

/** A child that optionally loads the addon, then exits through exitProcess(3); its 'exit' event says whether Node's exit ran. */
function child(loadAddon: boolean) {
  const script = `import * as fs from 'node:fs';
    import { exitProcess, nativeSys } from ${JSON.stringify(index)};
    if (${loadAddon}) nativeSys();
    process.on('exit', () => fs.writeSync(1, 'node exit ran'));
    fs.writeSync(1, 'written before; ');
    exitProcess(3);`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
}

t.test('with the addon loaded, exitProcess ends the process at once with the code', { skip: !root && 'needs root' }, async (t) => {
  const r = child(true);
  t.equal(r.status, 3, r.stderr);
  t.equal(r.stdout, 'written before; ', "what was written stays written; Node's exit never ran");
});

t.test('without the addon, exitProcess is process.exit (the addon is not loaded just to exit)', async (t) => {
  const r = child(false);
  t.equal(r.status, 3, r.stderr);
  t.equal(r.stdout, 'written before; node exit ran');
});
