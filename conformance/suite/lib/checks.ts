// The core conformance checks as plain functions: each drives a plugin through a Target and returns
// the problems it found ([] = conforming). The suite's test files assert `[]` against dist/podlink;
// selftest.test.ts runs the same functions against deliberately broken plugins and asserts that they
// report problems, which proves the checks can fail.
//
// Every plugin run made here is also checked for §1.5 (stdout is one JSON document or empty).
//
// The parts, one concern each: target.ts (the plugin under test), answer-checks.ts (one answer's stdout,
// exit status and error object), result-shape.ts (the ADD result per version), kernel-state.ts (what the
// kernel and testbed hold), prev-result.ts (prevResult passthrough), case-setup.ts, lifecycle-checks.ts
// and protocol-checks.ts (the core checks). This file re-exports them for the suite's test files.
// Imports: those modules only; they import node built-ins, ./suite (Testbed, tables) and
// ../../lib/exec-driver (types only).
export { binTarget, podlinkTarget, type RunOpts, type Target } from './target.js';
export { errorProblems, stdoutProblems, successProblems, type ErrorExpect } from './answer-checks.js';
export { hostIfName, resultAddresses, resultShapeProblems, type ShapeContext } from './result-shape.js';
export { endpointPins, leftoverProblems, nonLoLinks, podStateProblems } from './kernel-state.js';
export { foreignPrevResult, passthroughProblems } from './prev-result.js';
export type { Case } from './case-setup.js';
export {
  checkAddResult, checkCheckTooOld, checkCheckWithoutPrev, checkCheckWithPrev, checkDelAfterFailedAdd, checkDelNetnsGone,
  checkDelNoNetns, checkDelRepeated, checkIfnameExists,
} from './lifecycle-checks.js';
export { checkBadJson, checkEnvMissing, checkPrevResultPassthrough, checkStdoutDiscipline, checkVersionCommand } from './protocol-checks.js';
