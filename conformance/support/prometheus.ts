// A strict parser for the Prometheus text exposition format (0.0.4), for tests: it rejects anything
// node_exporter's textfile collector (or promtool) would reject, and more — comments, blank lines,
// timestamps, unknown escapes, out-of-order or non-cumulative histogram buckets.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const VALUE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(s: string, where: string): number {
  if (!VALUE.test(s)) throw new Error(`${where}: bad value ${JSON.stringify(s)}`);
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  return Number(s);
}

function unescapeHelp(s: string, where: string): string {
  return s.replace(/\\(.?)/g, (_m, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    throw new Error(`${where}: bad escape \\${c} in HELP`);
  });
}

/** Parses `{a="x",b="y"}` starting at s[0] === '{'; returns labels and the rest of the line. */
function parseLabels(s: string, where: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 1;
  if (s[i] === '}') return { labels, rest: s.slice(i + 1) };
  for (;;) {
    const eq = s.indexOf('=', i);
    if (eq < 0) throw new Error(`${where}: label without =`);
    const k = s.slice(i, eq);
    if (!LABEL.test(k) || k.startsWith('__')) throw new Error(`${where}: bad label name ${JSON.stringify(k)}`);
    if (k in labels) throw new Error(`${where}: duplicate label ${k}`);
    if (s[eq + 1] !== '"') throw new Error(`${where}: label value must be quoted`);
    let j = eq + 2;
    let v = '';
    for (;;) {
      const c = s[j];
      if (c === undefined) throw new Error(`${where}: unterminated label value`);
      if (c === '"') break;
      if (c === '\\') {
        const n = s[j + 1];
        if (n === '\\') v += '\\';
        else if (n === '"') v += '"';
        else if (n === 'n') v += '\n';
        else throw new Error(`${where}: bad escape \\${n ?? ''} in label value`);
        j += 2;
        continue;
      }
      v += c;
      j++;
    }
    labels[k] = v;
    j++;
    if (s[j] === '}') return { labels, rest: s.slice(j + 1) };
    if (s[j] !== ',') throw new Error(`${where}: expected , or } after label ${k}`);
    i = j + 1;
    if (s[i] === '}') throw new Error(`${where}: trailing comma in label set`);
  }
}

function familyOf(sampleName: string, families: Map<string, ParsedFamily>): ParsedFamily | undefined {
  if (families.has(sampleName)) return families.get(sampleName);
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (sampleName.endsWith(suffix)) {
      const f = families.get(sampleName.slice(0, -suffix.length));
      if (f && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return f;
    }
  }
  return undefined;
}

const key = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',')}}`;

export function parseExposition(text: string): Map<string, ParsedFamily> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, ParsedFamily>();
  const seen = new Set<string>();
  const closed = new Set<string>();
  let current: ParsedFamily | undefined;
  const lines = text === '' ? [] : text.slice(0, -1).split('\n');
  lines.forEach((line, n) => {
    const where = `line ${n + 1}`;
    if (line === '') throw new Error(`${where}: blank line`);
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) throw new Error(`${where}: comment lines are not allowed here: ${line}`);
      const [, what, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`${where}: bad metric name ${name}`);
      if (closed.has(name)) throw new Error(`${where}: family ${name} is not contiguous`);
      let f = families.get(name);
      if (current && current.name !== name) closed.add(current.name);
      if (!f) {
        f = { name, type: '', help: '', samples: [] };
        families.set(name, f);
      } else if (f.samples.length) throw new Error(`${where}: ${what} for ${name} after its samples`);
      current = f;
      if (what === 'HELP') {
        if (f.help) throw new Error(`${where}: second HELP for ${name}`);
        f.help = unescapeHelp(rest, where);
        if (!f.help) throw new Error(`${where}: empty HELP for ${name}`);
      } else {
        if (f.type) throw new Error(`${where}: second TYPE for ${name}`);
        if (!TYPES.has(rest)) throw new Error(`${where}: bad type ${rest}`);
        f.type = rest;
      }
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(.*)$/.exec(line);
    if (!m) throw new Error(`${where}: bad sample line ${line}`);
    const name = m[1]!;
    let rest = m[2]!;
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, where));
    const parts = rest.split(' ');
    if (parts.length !== 2 || parts[0] !== '') throw new Error(`${where}: expected exactly "name{labels} value" (no timestamp): ${line}`);
    const value = parseValue(parts[1]!, where);
    const f = familyOf(name, families);
    if (!f || !f.type || !f.help) throw new Error(`${where}: sample ${name} without HELP and TYPE before it`);
    if (f !== current) throw new Error(`${where}: sample ${name} outside its family block`);
    const k = key(name, labels);
    if (seen.has(k)) throw new Error(`${where}: duplicate series ${k}`);
    seen.add(k);
    if (f.type === 'counter' && !name.endsWith('_total')) throw new Error(`${where}: counter ${name} should end in _total`);
    if (f.type === 'counter' && !(value >= 0)) throw new Error(`${where}: negative counter`);
    if (f.type === 'histogram' && name === f.name) throw new Error(`${where}: histogram sample ${name} needs _bucket, _sum or _count`);
    if (name.endsWith('_bucket') !== ('le' in labels) && f.type === 'histogram') throw new Error(`${where}: le belongs on _bucket samples only`);
    f.samples.push({ name, labels, value });
  });
  for (const f of families.values()) {
    if (!f.type || !f.help) throw new Error(`family ${f.name} lacks HELP or TYPE`);
    if (f.type === 'histogram') checkHistogram(f);
  }
  return families;
}

function checkHistogram(f: ParsedFamily): void {
  const series = new Map<string, { buckets: { le: number; v: number }[]; sum?: number; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const k = key('', rest);
    const e = series.get(k) ?? { buckets: [] };
    series.set(k, e);
    if (s.name.endsWith('_bucket')) e.buckets.push({ le: parseValue(le!, `${f.name} le`), v: s.value });
    else if (s.name.endsWith('_sum')) e.sum = s.value;
    else e.count = s.value;
  }
  for (const [k, e] of series) {
    const where = `${f.name}${k}`;
    if (e.sum === undefined || e.count === undefined) throw new Error(`${where}: missing _sum or _count`);
    if (!e.buckets.length) throw new Error(`${where}: no buckets`);
    for (let i = 1; i < e.buckets.length; i++) {
      if (!(e.buckets[i]!.le > e.buckets[i - 1]!.le)) throw new Error(`${where}: le not increasing`);
      if (e.buckets[i]!.v < e.buckets[i - 1]!.v) throw new Error(`${where}: buckets not cumulative`);
    }
    const last = e.buckets[e.buckets.length - 1]!;
    if (last.le !== Infinity) throw new Error(`${where}: last bucket must be le="+Inf"`);
    if (last.v !== e.count) throw new Error(`${where}: +Inf bucket ${last.v} != _count ${e.count}`);
    if (!Number.isInteger(e.count) || e.count < 0) throw new Error(`${where}: bad _count`);
  }
}
