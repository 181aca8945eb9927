// Types for executable-tail.mjs (checked imports for TypeScript callers and tests).
export declare const TAIL_MAGIC: string;
export declare function executableTail(sections: Buffer[]): Buffer;
export declare function tailSection(index: number, bytes: Buffer): { magic: string; index: number; length: number };
