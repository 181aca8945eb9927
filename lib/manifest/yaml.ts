// A small YAML emitter for the manifests we print: block mappings and sequences, literal blocks for
// multi-line text, and scalars quoted whenever a YAML 1.1 or 1.2 reader (kubectl uses go-yaml, i.e.
// YAML 1.1) could read them as anything but the same string. Pure. May import: nothing.

export type YamlValue = string | number | boolean | null | YamlValue[] | { [k: string]: YamlValue | undefined };

/** Words YAML 1.1 or 1.2 read as booleans or null. */
const RESERVED = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;
/** Plain scalars we allow: start with a letter, '_', '/' or a command-line flag's "-x"/"--x", then no
 * spaces, no flow or comment indicators. */
const PLAIN = /^(?:--?[A-Za-z]|[A-Za-z_/])[A-Za-z0-9_./:@=+-]*$/;

function plainOk(s: string): boolean {
  return PLAIN.test(s) && !RESERVED.test(s) && !s.endsWith(':') && !s.includes('://');
}

/** A double-quoted scalar. JSON's escapes are all valid YAML escapes; add those JSON leaves raw
 * (DEL, C1 controls, line/paragraph separators, BOM) and replace lone surrogates, which YAML cannot carry. */
export function doubleQuoted(s: string): string {
  return JSON.stringify(s)
    .replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\\\\|\\ud[89a-f][0-9a-f]{2}/gi, (m) => (m === '\\\\' ? m : '\\ufffd'));
}

export function scalar(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '.nan';
    if (!Number.isFinite(v)) return v > 0 ? '.inf' : '-.inf';
    return String(v);
  }
  return plainOk(v) ? v : doubleQuoted(v);
}

/** Multi-line text that reads back identically as a literal block (`|` or `|-`). */
function literalOk(s: string): boolean {
  if (!s.includes('\n')) return false;
  if (/[^\n\t\u0020-\u007e\u00a0-\ud7ff\ue000-\ufefe\uff00-\ufffd]/.test(s)) return false;
  if (/^[ \t]/.test(s) || s.startsWith('\n')) return false;
  const body = s.endsWith('\n') ? s.slice(0, -1) : s;
  if (body.endsWith('\n')) return false; // more than one trailing newline would need `|+`
  return body.split('\n').every((l) => l === '' || /\S/.test(l));
}

function literal(s: string, indent: number): { header: string; lines: string[] } {
  const body = s.endsWith('\n') ? s.slice(0, -1) : s;
  const pad = ' '.repeat(indent);
  return { header: s.endsWith('\n') ? '|' : '|-', lines: body.split('\n').map((l) => (l === '' ? '' : pad + l)) };
}

type Collection = YamlValue[] | { [k: string]: YamlValue | undefined };

function isCollection(v: YamlValue): v is Collection {
  return typeof v === 'object' && v !== null;
}

function entries(v: Collection): [string | null, YamlValue][] {
  if (Array.isArray(v)) return v.map((x) => [null, x]);
  return Object.entries(v).filter((e): e is [string, YamlValue] => e[1] !== undefined);
}

/** The value after "key:" or "-": inline text, or the lines that follow. */
function value(v: YamlValue, indent: number): { inline: string; lines: string[] } {
  if (isCollection(v)) {
    if (entries(v).length === 0) return { inline: Array.isArray(v) ? ' []' : ' {}', lines: [] };
    return { inline: '', lines: block(v, indent) };
  }
  if (typeof v === 'string' && literalOk(v)) {
    const l = literal(v, indent);
    return { inline: ` ${l.header}`, lines: l.lines };
  }
  return { inline: ` ${scalar(v)}`, lines: [] };
}

function block(v: Collection, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  for (const [k, x] of entries(v)) {
    if (k === null) {
      if (isCollection(x) && entries(x).length > 0) {
        // "- " then the collection's first line, the rest aligned under it.
        const sub = block(x, indent + 2);
        out.push(`${pad}- ${sub[0]!.slice(indent + 2)}`, ...sub.slice(1));
      } else {
        const { inline, lines } = value(x, indent + 2);
        out.push(`${pad}-${inline}`, ...lines);
      }
    } else {
      const { inline, lines } = value(x, indent + 2);
      out.push(`${pad}${scalar(k)}:${inline}`, ...lines);
    }
  }
  return out;
}

/** One YAML document (no leading `---`). */
export function toYaml(v: YamlValue): string {
  if (!isCollection(v)) {
    const { inline, lines } = value(v, 2);
    return `${[inline.slice(1), ...lines].join('\n')}\n`;
  }
  const { inline, lines } = value(v, 0);
  return `${inline ? inline.slice(1) : lines.join('\n')}\n`;
}

/** Several documents separated by `---`. */
export function toYamlDocuments(docs: YamlValue[]): string {
  return docs.map((d) => `---\n${toYaml(d)}`).join('');
}
