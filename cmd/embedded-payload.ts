// Runs a payload bundle embedded by build.mjs (the CNI plugin's cmd/payload.ts, or the CLI's
// cmd/cli-payload.ts), with the node's own code cache for the CNI command when there is one
// (cmd/node-code-cache.ts), else the one the build made. A cache is only an
// accelerator: V8 rejects it when the Node binary or its flags differ (a checked hash), and then compiles
// the source as usual.
import * as vm from 'node:vm';
import { embeddedSection, type TailSection } from '../lib/util/executable-tail.js';
import { NodeCodeCache } from './node-code-cache.js';

export { DEFAULT_CACHE_DIR } from './node-code-cache.js';

export const PAYLOAD_FILENAME = 'podlink-payload.cjs';

export interface LoadedPayload<M> {
  payload: M;
  /** After a successful CNI call: write the node's cache when there was none or V8 rejected it. */
  saveNodeCache(): void;
}

export function loadEmbeddedPayload<M>(
  /** Which payload, for PODLINK_DEBUG_STARTUP's line: `CNI` or `CLI`. */
  name: string,
  /** The payload wrapped as a function by the build (release/code-cache.mjs wrapPayload). */
  wrapped: string,
  /** Where the build appended its cache to the executable, if it made one; read only when the node has none of its own. */
  builtCache: TailSection | undefined,
  req: NodeJS.Require,
  filename: string,
  node?: { dir: string; key: string },
): LoadedPayload<M> {
  const nodeCache = node && new NodeCodeCache(node.dir, node.key);
  const fromNode = nodeCache?.read();
  const cachedData = fromNode ?? (builtCache && embeddedSection(builtCache, filename));
  const script = new vm.Script(wrapped, { filename: PAYLOAD_FILENAME, cachedData });
  if (process.env.PODLINK_DEBUG_STARTUP === '1') {
    const which = fromNode ? ` (node cache ${nodeCache!.file})` : '';
    process.stderr.write(
      `podlink: ${name} payload code cache ${!cachedData ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted'}${which}\n`,
    );
  }
  const module = { exports: {} as M };
  (script.runInThisContext() as (...a: unknown[]) => void)(
    module.exports,
    req,
    module,
    filename,
    filename.slice(0, filename.lastIndexOf('/')),
  );
  const stale = fromNode === undefined || script.cachedDataRejected === true;
  return { payload: module.exports, saveNodeCache: () => stale && nodeCache?.write(() => script.createCachedData()) };
}
