// Conformance, table-driven over every cniVersion and every mode: the ADD result shape, DEL in all
// its forms (repeated, netns gone, no netns, after a failed ADD), CHECK with and without prevResult,
// CHECK refused below 0.4.0, and an interface that already exists. Each case gets its own node netns.
import t from 'tap';
import {
  checkAddResult, checkCheckTooOld, checkCheckWithoutPrev, checkCheckWithPrev, checkDelAfterFailedAdd,
  checkDelNetnsGone, checkDelNoNetns, checkDelRepeated, checkIfnameExists, podlinkTarget, type Case,
} from './lib/checks.js';
import { bed, conformanceCase, modes, versions, versionsBelow, versionsFrom, type Axis } from './lib/suite.js';

type Check = (tg: ReturnType<typeof podlinkTarget>, c: Case) => string[];

function matrix(section: string, title: string, items: string[], vs: Axis[], check: Check): void {
  for (const mode of modes()) {
    for (const version of vs) {
      conformanceCase(t, { items, section, title, mode, version }, (st) => {
        const b = bed(st, `v${version.value.replace(/\./g, '')}${mode.value.slice(0, 3)}`);
        st.strictSame(check(podlinkTarget(b), { version: version.value, mode: mode.value }), [], 'no problems');
      });
    }
  }
}

matrix('§4 ADD', 'result has the requested cniVersion and that version\'s shape; the kernel agrees', [
  '§0.1', '§1.1', '§1.3', '§4 ADD.1', '§4 ADD.3', '§4 ADD.5', '§5.1', '§5.2', '§5.3', '§5.4', '§5.5', '§5.6',
], versions(), checkAddResult);

matrix('§4 DEL', 'repeated DEL succeeds and prints nothing', ['§4 DEL.1', '§4 DEL.2', '§4 DEL.3', '§4 DEL.5'], versions(), checkDelRepeated);

matrix('§4 DEL', 'DEL with the netns already deleted succeeds (no code 3)', ['§4 DEL.2', '§2.5', '§6.4', '§10.2'], versions(), checkDelNetnsGone);

matrix('§4 DEL', 'DEL with CNI_NETNS absent or empty succeeds and cleans up', ['§4 DEL.2', '§2.5'], versions(), checkDelNoNetns);

matrix('§1', 'DEL after a failed ADD succeeds; the failed ADD left nothing', ['§1.8', '§4 ADD.6', '§4 DEL.2', '§8.6'], versions(), checkDelAfterFailedAdd);

matrix('§4 ADD', 'an interface that already exists is an error before any IP is allocated', ['§4 ADD.2'], versions(), checkIfnameExists);

matrix('§4 CHECK', 'CHECK with prevResult straight after ADD succeeds and prints nothing', ['§4 CHECK.2', '§4 CHECK.7', '§4 CHECK.9', '§7.3', '§3.10'], versionsFrom('0.4.0'), checkCheckWithPrev);

matrix('§4 CHECK', 'CHECK without prevResult is an error', ['§4 CHECK.2'], versionsFrom('0.4.0'), checkCheckWithoutPrev);

for (const version of versionsBelow('0.4.0')) {
  conformanceCase(t, { items: ['§4 CHECK.1', '§0.3'], section: '§4 CHECK', title: 'CHECK below 0.4.0 is refused with code 1', version }, (st) => {
    const b = bed(st, `chkold${version.value.replace(/\./g, '')}`);
    st.strictSame(checkCheckTooOld(podlinkTarget(b), version.value), [], 'no problems');
  });
}
