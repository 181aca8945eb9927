// What both config sources share: the connection shape, its error, and file readers that fail clearly.
import * as fs from 'node:fs';

export class KubeConfigError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message} (${hint})` : message);
    this.name = 'KubeConfigError';
  }
}

export interface KubeConnection {
  /** Scheme, host, port and any path prefix; no trailing slash. */
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTlsVerify: boolean;
  /** The Authorization header value now: a token file is re-read on every call, so a rotated token is used. */
  authorization(): string | undefined;
}

/** Reads a file once now (to fail early with a clear message) and again on every call. */
export function tokenFileReader(file: string, what: string): () => string {
  const read = () => fs.readFileSync(file, 'utf8').trim();
  try {
    read();
  } catch (e) {
    throw new KubeConfigError(`cannot read the ${what} ${file}: ${(e as Error).message}`);
  }
  return read;
}

export function readFileOrFail(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new KubeConfigError(`cannot read the ${what} ${file}: ${(e as Error).message}`);
  }
}
