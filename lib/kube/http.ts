// GET requests to the API server over node:http/https with the connection's TLS and credentials.
import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConnection } from './config-common.js';

/** A non-2xx answer; `reason` and `message` come from the body when it is a v1 Status. */
export class KubeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    detail: string,
  ) {
    super(`HTTP ${status}${reason ? ` ${reason}` : ''}${detail ? `: ${detail}` : ''}`);
    this.name = 'KubeHttpError';
  }
}

export class IdleTimeout extends Error {
  constructor(ms: number) {
    super(`no data for ${ms} ms`);
    this.name = 'IdleTimeout';
  }
}

export interface KubeClient {
  server: string;
  /**
   * GET server+path; resolves with the response once its headers are in (any status). No answer within
   * headersMs fails the request; once answered, idleMs without a byte destroys the response with IdleTimeout.
   */
  get(pathAndQuery: string, signal: AbortSignal, t: { headersMs: number; idleMs: number }): Promise<http.IncomingMessage>;
  close(): void;
}

export function newClient(conn: KubeConnection): KubeClient {
  const tls = conn.server.startsWith('https:');
  const agentOpts = { keepAlive: true, maxSockets: 4 };
  const agent = tls
    ? new https.Agent({ ...agentOpts, ca: conn.ca, cert: conn.cert, key: conn.key, rejectUnauthorized: !conn.insecureSkipTlsVerify })
    : new http.Agent(agentOpts);
  const request = tls ? https.request : http.request;
  return {
    server: conn.server,
    get(pathAndQuery, signal, t) {
      return new Promise((resolve, reject) => {
        const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'podlink-agent' };
        try {
          const auth = conn.authorization();
          if (auth) headers.Authorization = auth;
        } catch (e) {
          reject(new Error(`reading the credentials: ${(e as Error).message}`));
          return;
        }
        let answered = false;
        const req = request(`${conn.server}${pathAndQuery}`, { method: 'GET', agent, headers, signal, timeout: t.headersMs }, (res) => {
          answered = true;
          req.setTimeout(t.idleMs);
          resolve(res);
        });
        req.on('timeout', () => {
          req.destroy(answered ? new IdleTimeout(t.idleMs) : new Error(`no answer from ${conn.server} in ${t.headersMs} ms`));
        });
        req.on('error', reject);
        req.end();
      });
    },
    close: () => agent.destroy(),
  };
}

/** The whole body as text, at most `maxBytes`. */
export async function readBody(res: http.IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > maxBytes) {
      res.destroy();
      throw new Error(`response body larger than ${maxBytes} bytes`);
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Throws KubeHttpError for a non-200 response (after reading its Status body, if small). */
export async function expectOk(res: http.IncomingMessage): Promise<void> {
  if (res.statusCode === 200) return;
  let reason = '';
  let detail = '';
  try {
    const st = JSON.parse(await readBody(res, 64 * 1024)) as { reason?: unknown; message?: unknown };
    if (typeof st.reason === 'string') reason = st.reason;
    if (typeof st.message === 'string') detail = st.message;
  } catch {
    res.destroy();
  }
  throw new KubeHttpError(res.statusCode ?? 0, reason, detail);
}
