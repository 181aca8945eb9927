// The datapath results as an SVG bar chart, written as plain text: one panel per metric, one horizontal
// bar per topology at its median, a whisker from min to max, the value at the bar's end.

export interface Bar {
  label: string;
  median: number;
  min: number;
  max: number;
  /** CSS colour */
  color: string;
}

export interface Panel {
  title: string;
  unit: string;
  bars: Bar[];
}

export interface Chart {
  title: string;
  subtitle: string;
  panels: Panel[];
  footnotes?: string[];
}

const W = 860;
const LABEL_W = 250;
const BAR_X = LABEL_W + 10;
const BAR_MAX_W = W - BAR_X - 140;
const ROW_H = 24;
const PANEL_GAP = 18;

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function num(x: number): string {
  return Number.isFinite(x) ? (Math.round(x * 10) / 10).toString() : '0';
}

function valueText(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${num(x)}" y="${num(y)}"${attrs ? ` ${attrs}` : ''}>${escapeXml(s)}</text>`;
}

function panel(p: Panel, top: number): { svg: string[]; height: number } {
  const out: string[] = [text(10, top + 16, `${p.title} (${p.unit})`, 'class="h"')];
  const scaleMax = Math.max(0, ...p.bars.flatMap((b) => [b.median, b.max]).filter((x) => Number.isFinite(x)));
  const scale = (x: number) => (scaleMax > 0 && Number.isFinite(x) ? (Math.max(0, x) / scaleMax) * BAR_MAX_W : 0);
  p.bars.forEach((b, i) => {
    const y = top + 26 + i * ROW_H;
    out.push(text(LABEL_W, y + 15, b.label, 'text-anchor="end"'));
    if (!Number.isFinite(b.median)) {
      out.push(text(BAR_X + 4, y + 15, 'not measured', 'class="na"'));
      return;
    }
    const w = scale(b.median);
    out.push(`<rect x="${BAR_X}" y="${num(y + 3)}" width="${num(w)}" height="${ROW_H - 6}" fill="${escapeXml(b.color)}"><title>${escapeXml(`${b.label}: ${valueText(b.median)} ${p.unit} (min ${valueText(b.min)}, max ${valueText(b.max)})`)}</title></rect>`);
    if (Number.isFinite(b.min) && Number.isFinite(b.max) && b.max > b.min) {
      const [x1, x2, ym] = [BAR_X + scale(b.min), BAR_X + scale(b.max), y + ROW_H / 2];
      out.push(`<path d="M${num(x1)} ${num(ym)}H${num(x2)}M${num(x1)} ${num(ym - 5)}v10M${num(x2)} ${num(ym - 5)}v10" class="w"/>`);
    }
    out.push(text(BAR_X + Math.max(w, Number.isFinite(b.max) ? scale(b.max) : 0) + 6, y + 15, valueText(b.median)));
  });
  return { svg: out, height: 26 + p.bars.length * ROW_H + PANEL_GAP };
}

export function barChart(c: Chart): string {
  const body: string[] = [text(10, 22, c.title, 'class="t"'), text(10, 40, c.subtitle, 'class="s"')];
  let y = 52;
  for (const p of c.panels) {
    const r = panel(p, y);
    body.push(...r.svg);
    y += r.height;
  }
  for (const f of c.footnotes ?? []) {
    body.push(text(10, y + 4, f, 'class="s"'));
    y += 16;
  }
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${num(height)}" viewBox="0 0 ${W} ${num(height)}" font-family="sans-serif" font-size="12">`,
    '<style>.t{font-size:16px;font-weight:bold}.h{font-weight:bold}.s{fill:#555;font-size:11px}.na{fill:#999}.w{stroke:#222;stroke-width:1.2;fill:none}</style>',
    `<rect width="${W}" height="${num(height)}" fill="#fff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
