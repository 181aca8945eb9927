// Types for cache-tail.mjs (checked imports for TypeScript callers and tests).
export declare const TAIL_MAGIC: string;
export declare function cacheTail(cache: Buffer): { bytes: Buffer; layout: { magic: string; bytes: number } };
