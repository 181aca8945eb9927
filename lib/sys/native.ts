// Loads the native addon (lib/sys/native/podlink_sys.c) once, and wraps its errors as Errno.
// In the shipped executable the addon's bytes are appended to it by build.mjs (__PODLINK_ADDON_TAIL__ says
// where); in development they are read from build/Release. Both go through installAddon's checks.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { installAddon } from './addon-file.js';
import { toErrno } from './errno.js';
import type { Sys } from './types.js';
import { requiredSection, type TailSection } from '../util/executable-tail.js';

declare const __PODLINK_ADDON_TAIL__: TailSection | undefined;
/** sha256 of the embedded addon, computed by build.mjs. */
declare const __PODLINK_ADDON_SHA256__: string | undefined;

export const DEFAULT_LIB_DIR = '/run/podlink/lib';

function addonBytes(): Uint8Array {
  if (typeof __PODLINK_ADDON_TAIL__ === 'object') return requiredSection(__PODLINK_ADDON_TAIL__, __filename, 'native addon');
  const dev = process.env.PODLINK_DEV_ADDON ?? path.resolve(process.cwd(), 'build/Release/podlink_sys.node');
  return fs.readFileSync(dev);
}

function wrap(raw: Record<string, (...a: unknown[]) => unknown>): Sys {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(raw)) {
    out[name] = (...args: unknown[]) => {
      try {
        return fn(...args);
      } catch (e) {
        throw toErrno(e);
      }
    };
  }
  return out as unknown as Sys;
}

let loaded: Sys | undefined;

/** The addon if this process has loaded it already; never loads it. */
export function loadedSys(): Sys | undefined {
  return loaded;
}

export function nativeSys(libDir = process.env.PODLINK_LIB_DIR ?? DEFAULT_LIB_DIR): Sys {
  if (loaded) return loaded;
  const file = installAddon(
    addonBytes(),
    libDir,
    undefined,
    typeof __PODLINK_ADDON_SHA256__ === 'string' ? __PODLINK_ADDON_SHA256__ : undefined,
  );
  const mod = { exports: {} as Record<string, (...a: unknown[]) => unknown> };
  process.dlopen(mod, file);
  loaded = wrap(mod.exports);
  return loaded;
}
