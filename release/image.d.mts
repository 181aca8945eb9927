// Types for image.mjs (checked imports for TypeScript callers and tests).
export type Arch = 'x64' | 'arm64';
export declare const IMAGE_REPOSITORY: string;
export declare const BINARY_PATH: string;
export declare const ARCHES: Record<Arch, { exe: string; platform: { architecture: string; os: string; variant?: string }; sysroot: string }>;
export declare function archOf(name: string): Arch;
export declare function parseLoaderList(text: string): string[];
export declare function sharedLibraries(exe: string, arch: Arch): { path: string; file: string }[];
export declare function sourceInfo(env?: NodeJS.ProcessEnv): { revision: string; epoch: number };
export interface BuiltImage {
  file: string;
  digest: string;
  ref: string;
  revision: string;
  layerSize: number;
  archiveSize: number;
  exeSize: number;
}
export declare function buildImage(opts?: { arch?: string; exe?: string; outDir?: string; env?: NodeJS.ProcessEnv }): BuiltImage;
export declare function ociLayout(o: {
  layerTar: Buffer;
  epoch: number;
  ref: string;
  platform: { architecture: string; os: string; variant?: string };
  config: { Entrypoint?: string[]; Cmd?: string[]; Env?: string[]; Labels?: Record<string, string> };
}): { archive: Buffer; digest: string; layerSize: number };
