// A deterministic ustar writer for image layers and OCI archives: entries sorted by path, parent
// directories added, uid/gid 0 with empty owner names, one fixed mtime, no pax or GNU extension headers.
// The same entries and mtime always give the same bytes.

const BLOCK = 512;

/**
 * @param {{ path: string, data?: Buffer, mode?: number, dir?: boolean }[]} entries paths relative, no leading '/'
 * @param {number} mtime seconds since the epoch, for every entry
 */
export function tarArchive(entries, mtime) {
  const byPath = new Map();
  for (const e of entries) {
    if (e.path.startsWith('/') || e.path.split('/').some((p) => p === '' || p === '.' || p === '..')) throw new Error(`tar: bad path ${e.path}`);
    if (byPath.has(e.path)) throw new Error(`tar: duplicate path ${e.path}`);
    byPath.set(e.path, e);
  }
  for (const e of [...byPath.values()]) {
    const parts = e.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const seen = byPath.get(dir);
      if (seen && !seen.dir) throw new Error(`tar: ${dir} is both a file and a directory`);
      if (!seen) byPath.set(dir, { path: dir, dir: true, mode: 0o755 });
    }
  }
  const sorted = [...byPath.values()].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const chunks = [];
  for (const e of sorted) {
    const data = e.dir ? Buffer.alloc(0) : e.data;
    if (!data) throw new Error(`tar: ${e.path} has no data`);
    chunks.push(header(e.dir ? `${e.path}/` : e.path, e.mode ?? (e.dir ? 0o755 : 0o644), data.length, mtime, e.dir ? '5' : '0'));
    chunks.push(data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  chunks.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(chunks);
}

function header(name, mode, size, mtime, type) {
  const h = Buffer.alloc(BLOCK);
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 2);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
    if (cut < 0 || Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`tar: path too long for ustar: ${prefix}/${name}`);
  }
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, mtime);
  h.fill(' ', 148, 156);
  h.write(type, 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  octal(h, 329, 8, 0);
  octal(h, 337, 8, 0);
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

function octal(buf, off, len, n) {
  const s = n.toString(8);
  if (s.length > len - 1) throw new Error(`tar: ${n} does not fit ${len - 1} octal digits`);
  buf.write(`${s.padStart(len - 1, '0')}\0`, off, len, 'ascii');
}
