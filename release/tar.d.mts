// Types for tar.mjs (checked imports for TypeScript callers and tests).
export interface TarEntry {
  path: string;
  data?: Buffer;
  mode?: number;
  dir?: boolean;
}
export declare function tarArchive(entries: TarEntry[], mtime: number): Buffer;
