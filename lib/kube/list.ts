// The paged list of Nodes (GET /api/v1/nodes?limit=N&continue=TOKEN): one page in memory at a time.
import { expectOk, KubeHttpError, readBody, type KubeClient } from './http.js';
import type { Obj } from './json.js';
import { toKubeNode } from './node.js';
import type { KubeNode } from './types.js';

export const NODES_PATH = '/api/v1/nodes';
const PAGE_TIMEOUTS = { headersMs: 30_000, idleMs: 30_000 };
const MAX_PAGE_BYTES = 256 * 1024 * 1024;

export interface NodeList {
  nodes: Map<string, KubeNode>;
  resourceVersion: string;
  pages: number;
}

/** Lists every Node; a malformed item is reported through onMalformed and skipped. A 410 on a page throws. */
export async function listNodes(
  client: KubeClient,
  pageSize: number,
  signal: AbortSignal,
  onMalformed: (why: string) => void,
): Promise<NodeList> {
  const nodes = new Map<string, KubeNode>();
  let resourceVersion = '';
  let cont = '';
  let pages = 0;
  do {
    const q = new URLSearchParams({ limit: String(pageSize) });
    if (cont) q.set('continue', cont);
    const res = await client.get(`${NODES_PATH}?${q}`, signal, PAGE_TIMEOUTS);
    await expectOk(res);
    let page: Obj;
    try {
      page = JSON.parse(await readBody(res, MAX_PAGE_BYTES)) as Obj;
    } catch (e) {
      throw new Error(`list page ${pages + 1}: ${(e as Error).message}`);
    }
    const meta = (page?.metadata ?? {}) as Obj;
    if (!Array.isArray(page?.items)) throw new KubeHttpError(200, 'BadList', `list page ${pages + 1} has no items list`);
    if (pages === 0) resourceVersion = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : '';
    for (const item of page.items as unknown[]) {
      const n = toKubeNode(item);
      if ('error' in n) onMalformed(`list item: ${n.error}`);
      else nodes.set(n.name, n);
    }
    cont = typeof meta.continue === 'string' ? meta.continue : '';
    pages++;
  } while (cont);
  if (!resourceVersion) throw new KubeHttpError(200, 'BadList', 'the list has no metadata.resourceVersion to watch from');
  return { nodes, resourceVersion, pages };
}
