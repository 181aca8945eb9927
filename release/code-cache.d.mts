// Types for code-cache.mjs (checked imports for TypeScript callers and tests).
export declare function makeCodeCache(nodeBin: string, payloadFile: string, cacheFile: string, opts?: { warm?: boolean }): Buffer;
