// The suite's self-test: proof that its core checks can fail. Each fake in testdata/ wraps dist/podlink
// and breaks one rule; the same check functions the conformance cases use (lib/checks.ts) run against
// it and must report problems, and the problems must be about the breakage. A control run of each
// check against the real podlink shows the failures come from the fakes, not from the check.
import t, { type Test } from 'tap';
import * as path from 'node:path';
import {
  binTarget, checkAddResult, checkBadJson, checkCheckTooOld, checkDelNetnsGone, checkDelNoNetns, checkDelRepeated,
  checkEnvMissing, checkStdoutDiscipline, checkVersionCommand, podlinkTarget, type Target,
} from './lib/checks.js';
import { bed, conformanceCase, TESTDATA } from './lib/suite.js';

interface CoreCheck {
  name: string;
  run(tg: Target): string[];
}

const veth = (version: string) => ({ version, mode: 'veth' });

const CHECKS: Record<string, CoreCheck> = {
  add10: { name: 'ADD result shape [veth 1.0.0]', run: (tg) => checkAddResult(tg, veth('1.0.0')) },
  add031: { name: 'ADD result shape [veth 0.3.1]', run: (tg) => checkAddResult(tg, veth('0.3.1')) },
  version: { name: 'VERSION echoes the input version', run: (tg) => checkVersionCommand(tg, '{"cniVersion":"0.4.0"}', '0.4.0') },
  versionEmpty: { name: 'VERSION with empty stdin', run: (tg) => checkVersionCommand(tg, '') },
  envAdd: { name: 'ADD without container variables: code 4 naming them [0.4.0]', run: (tg) => checkEnvMissing(tg, 'ADD', ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'], '0.4.0') },
  delTwice: { name: 'repeated DEL [veth 1.0.0]', run: (tg) => checkDelRepeated(tg, veth('1.0.0')) },
  delGone: { name: 'DEL with the netns gone [veth 1.0.0]', run: (tg) => checkDelNetnsGone(tg, veth('1.0.0')) },
  delNoNetns: { name: 'DEL without CNI_NETNS [veth 1.0.0]', run: (tg) => checkDelNoNetns(tg, veth('1.0.0')) },
  stdout: { name: 'stdout discipline [veth 1.0.0]', run: (tg) => checkStdoutDiscipline(tg, veth('1.0.0')) },
  badJson: { name: 'bad JSON: code 6', run: (tg) => checkBadJson(tg, 'ADD', '{"cniVersion":') },
  checkOld: { name: 'CHECK below 0.4.0: code 1', run: (tg) => checkCheckTooOld(tg, '0.3.1') },
};

/** Which checks each fake must fail, and what the problems must mention. */
const FAKES: { bin: string; breaks: string; fails: (keyof typeof CHECKS)[]; mention: RegExp }[] = [
  { bin: 'broken-version.sh', breaks: 'rewrites cniVersion in every answer', fails: ['add10', 'add031', 'version', 'envAdd'], mention: /cniVersion/ },
  { bin: 'extra-line.sh', breaks: 'prints a log line on stdout after the JSON', fails: ['add10', 'versionEmpty', 'delTwice', 'stdout'], mention: /one JSON document|must be empty/ },
  { bin: 'strict-del.sh', breaks: 'DEL without a live netns fails with code 3', fails: ['delGone', 'delNoNetns'], mention: /DEL with (the netns gone|CNI_NETNS (absent|empty)): exit 1/ },
  { bin: 'generic-errors.sh', breaks: 'every error becomes code 999 "internal error"', fails: ['envAdd', 'badJson', 'checkOld'], mention: /code 999/ },
];

function runCheck(st: Test, tag: string, check: CoreCheck, target: (b: ReturnType<typeof bed>) => Target): string[] {
  const b = bed(st, tag);
  return check.run(target(b));
}

for (const fake of FAKES) {
  for (const key of fake.fails) {
    const check = CHECKS[key]!;
    conformanceCase(t, { items: [], section: 'self-test', title: `${fake.bin} (${fake.breaks}) fails "${check.name}"` }, (st) => {
      const problems = runCheck(st, `self${key}`, check, (b) => binTarget(b, path.join(TESTDATA, fake.bin)));
      st.ok(problems.length > 0, `the check reports problems for ${fake.bin}`);
      st.match(problems.join('\n'), fake.mention, `the problems are about the breakage (${fake.mention})`);
      st.comment(problems.slice(0, 3).join('\n'));
    });
  }
}

const controls = [...new Set(FAKES.flatMap((f) => f.fails))];
for (const key of controls) {
  const check = CHECKS[key]!;
  conformanceCase(t, { items: [], section: 'self-test', title: `control: dist/podlink passes "${check.name}"` }, (st) => {
    st.strictSame(runCheck(st, `ctl${key}`, check, podlinkTarget), [], 'no problems with the real plugin');
  });
}
