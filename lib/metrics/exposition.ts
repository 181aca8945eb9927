// The Prometheus text exposition format (version 0.0.4), as node_exporter's textfile collector reads
// it: HELP and TYPE once per family, then its samples; no timestamps. Pure. May import: ./histogram.
import { cumulative, type Histogram } from './histogram.js';

export type Labels = Record<string, string>;

export type Family =
  | { type: 'gauge' | 'counter'; name: string; help: string; samples: { labels?: Labels; value: number }[] }
  | { type: 'histogram'; name: string; help: string; bounds: readonly number[]; series: { labels?: Labels; h: Histogram }[] };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label values escape backslash, double quote and newline. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and newline. */
export function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Go's strconv.ParseFloat reads every JavaScript number rendering; only the infinities and NaN differ. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function labelSet(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (!entries.length) return '';
  for (const [k] of entries) {
    if (!LABEL_NAME.test(k) || k.startsWith('__')) throw new RangeError(`invalid label name ${JSON.stringify(k)}`);
  }
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

export function renderFamily(f: Family): string {
  if (!METRIC_NAME.test(f.name)) throw new RangeError(`invalid metric name ${JSON.stringify(f.name)}`);
  const lines = [`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`];
  if (f.type === 'histogram') {
    for (const { labels, h } of f.series) {
      if (labels && 'le' in labels) throw new RangeError('a histogram series must not carry an le label');
      const cum = cumulative(h);
      f.bounds.forEach((b, i) => lines.push(`${f.name}_bucket${labelSet({ ...labels, le: formatValue(b) })} ${cum[i]}`));
      lines.push(`${f.name}_bucket${labelSet({ ...labels, le: '+Inf' })} ${h.count}`);
      lines.push(`${f.name}_sum${labelSet(labels)} ${formatValue(h.sum)}`);
      lines.push(`${f.name}_count${labelSet(labels)} ${h.count}`);
    }
  } else {
    for (const s of f.samples) lines.push(`${f.name}${labelSet(s.labels)} ${formatValue(s.value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Families without samples are left out (nothing to say yet). */
export function renderExposition(families: Family[]): string {
  return families
    .filter((f) => (f.type === 'histogram' ? f.series.length > 0 : f.samples.length > 0))
    .map(renderFamily)
    .join('');
}
