// Types for build.mjs (kept next to it so TypeScript callers and tests get checked imports).
export declare const BPF_OBJECTS_DIR: string;
export declare const BPF_TARGETS: readonly { src: string; out: string }[];
export declare class BpfObjectsStaleError extends Error {
  readonly stale: string[];
}
export declare function clangVersion(clang?: string): string | undefined;
export declare function clangArgs(src: string, out: string): string[];
export interface BuildBpfObjectsResult {
  skipped?: string;
  clang?: string;
  written: string[];
  unchanged: string[];
}
export declare function buildBpfObjects(opts?: { check?: boolean; clang?: string; log?: (line: string) => void }): BuildBpfObjectsResult;
