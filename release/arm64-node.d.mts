// Types for arm64-node.mjs (checked imports for TypeScript callers and tests).
export declare const ARM64_NODE: { version: string; integrity: string };
export declare function arm64NodeBase(
  cacheDir: string,
  nodeVersion: string,
  o?: { pin?: { version: string; integrity: string }; pack?: (spec: string, dir: string) => string; log?: (m: string) => void },
): string;
