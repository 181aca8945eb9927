import t from 'tap';
import { barChart, escapeXml, type Chart } from './svg.js';

const chart: Chart = {
  title: 'datapath <test>',
  subtitle: 'kernel 6.18 & 2 CPUs',
  panels: [
    {
      title: 'throughput',
      unit: 'Gbit/s',
      bars: [
        { label: 'veth upper stack', median: 10, min: 8, max: 12, color: '#999' },
        { label: 'veth BPF', median: 20, min: 20, max: 20, color: '#36c' },
        { label: 'netkit BPF', median: NaN, min: NaN, max: NaN, color: '#c63' },
      ],
    },
  ],
  footnotes: ['a "note"'],
};

t.test('one bar per measured topology, a whisker only where min < max, text escaped', async (t) => {
  const svg = barChart(chart);
  t.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  t.ok(svg.trimEnd().endsWith('</svg>'));
  t.equal((svg.match(/<rect x=/g) ?? []).length, 2, 'NaN gets no bar');
  t.equal((svg.match(/<path /g) ?? []).length, 1);
  t.match(svg, 'datapath &lt;test&gt;');
  t.match(svg, 'kernel 6.18 &amp; 2 CPUs');
  t.match(svg, 'a &quot;note&quot;');
  t.match(svg, 'not measured');
  t.notMatch(svg, /NaN|undefined/);
});

t.test('bars scale to the panel maximum (the largest max)', async (t) => {
  const svg = barChart(chart);
  const widths = [...svg.matchAll(/<rect x="\d+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
  t.equal(widths.length, 2);
  t.equal(widths[1], 460, 'the 20 Gbit/s bar spans the whole bar area');
  t.equal(widths[0], 230, 'half of it for 10 Gbit/s');
});

t.test('escapeXml', async (t) => {
  t.equal(escapeXml(`<a href="x">&</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
});
