// Runs the payload bundle (cmd/payload.ts) embedded by build.mjs as a string, with the V8 code cache
// the build made for it. The cache is only an accelerator: V8 rejects it when the Node binary or its
// flags differ (a checked hash), and then compiles the source as usual.
import * as vm from 'node:vm';
import type * as Payload from './payload.js';

export type PayloadModule = typeof Payload;

/** The CommonJS wrapper the build also uses when it makes the cache: both must be byte-identical. */
export function wrapPayload(src: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${src}\n})`;
}

export const PAYLOAD_FILENAME = 'podlink-payload.cjs';

export function loadEmbeddedPayload(src: string, cacheB64: string, req: NodeJS.Require, filename: string): PayloadModule {
  const cachedData = cacheB64 ? Buffer.from(cacheB64, 'base64') : undefined;
  const script = new vm.Script(wrapPayload(src), { filename: PAYLOAD_FILENAME, cachedData });
  if (process.env.PODLINK_DEBUG_STARTUP === '1') {
    process.stderr.write(`podlink: payload code cache ${!cachedData ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted'}\n`);
  }
  const module = { exports: {} as PayloadModule };
  (script.runInThisContext() as (...a: unknown[]) => void)(
    module.exports,
    req,
    module,
    filename,
    filename.slice(0, filename.lastIndexOf('/')),
  );
  return module.exports;
}
