/**
 * A report as one self-contained static HTML file: text rendered, charts drawn as inline SVG, the
 * charts' data embedded as JSON (`<script type="application/json">`, which no browser runs). No script
 * and no request: it opens from file:// on a machine without the server, prints to PDF as it shows,
 * and is what a report's share link serves (under a policy that forbids every script).
 */

import { escapeHtml, renderMarkdown } from "./markdown";

export interface ExportSeries {
  label: string;
  color: string;
  x: number[];
  y: (number | null)[];
}
export interface ExportChart {
  title: string;
  xLabel: string;
  series: ExportSeries[];
}
export type ExportBlock =
  | { kind: "heading"; text: string; level: number }
  | { kind: "markdown"; text: string }
  | { kind: "code"; text: string; language: string }
  | { kind: "charts"; caption: string; charts: ExportChart[] }
  | { kind: "table"; caption: string; columns: string[]; rows: string[][] }
  | { kind: "image"; src: string; caption: string }
  /** a media panel: its images embedded (data: URLs), other media named */
  | { kind: "media"; caption: string; items: ({ src: string; caption: string } | { note: string })[] }
  /** an artifact version's card */
  | { kind: "artifact"; title: string; details: string; aliases: string; description: string }
  | { kind: "note"; text: string };

const W = 460;
const H = 220;
const PAD = { l: 52, r: 10, t: 10, b: 30 };
const COLOR = /^#[0-9a-fA-F]{3,8}$/;
const DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+=*$/;

function fmt(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

/** One chart as SVG: a line per series (gaps where values are missing), axes with their extremes. */
export function chartSvg(c: ExportChart): string {
  const xs = c.series.flatMap((s) => s.x);
  const ys = c.series.flatMap((s) => s.y.filter((v): v is number => v !== null && Number.isFinite(v)));
  const head = `<figure class="chart"><figcaption>${escapeHtml(c.title)}</figcaption>`;
  if (!xs.length || !ys.length) return `${head}<p class="muted">no data</p></figure>`;
  let [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const px = (x: number) => PAD.l + ((x - x0) / (x1 - x0)) * (W - PAD.l - PAD.r);
  const py = (y: number) => H - PAD.b - ((y - y0) / (y1 - y0)) * (H - PAD.t - PAD.b);
  const lines = c.series.map((s) => {
    const parts: string[] = [];
    let cur: string[] = [];
    s.x.forEach((x, i) => {
      const y = s.y[i];
      if (y === null || !Number.isFinite(y)) {
        if (cur.length) parts.push(cur.join(" "));
        cur = [];
      } else cur.push(`${px(x).toFixed(1)},${py(y).toFixed(1)}`);
    });
    if (cur.length) parts.push(cur.join(" "));
    const color = COLOR.test(s.color) ? s.color : "#1f77b4";
    return parts.map((pts) => `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts}"/>`).join("");
  });
  const axes = [
    `<line x1="${PAD.l}" y1="${H - PAD.b}" x2="${W - PAD.r}" y2="${H - PAD.b}" stroke="#999"/>`,
    `<line x1="${PAD.l}" y1="${PAD.t}" x2="${PAD.l}" y2="${H - PAD.b}" stroke="#999"/>`,
    `<text x="${PAD.l}" y="${H - 12}" font-size="11">${fmt(x0)}</text>`,
    `<text x="${W - PAD.r}" y="${H - 12}" font-size="11" text-anchor="end">${fmt(x1)}</text>`,
    `<text x="${(W + PAD.l) / 2}" y="${H - 2}" font-size="11" text-anchor="middle">${escapeHtml(c.xLabel)}</text>`,
    `<text x="${PAD.l - 4}" y="${PAD.t + 10}" font-size="11" text-anchor="end">${fmt(y1)}</text>`,
    `<text x="${PAD.l - 4}" y="${H - PAD.b}" font-size="11" text-anchor="end">${fmt(y0)}</text>`,
  ].join("");
  const legend = c.series
    .map((s) => `<span class="key"><i style="background:${COLOR.test(s.color) ? s.color : "#1f77b4"}"></i>${escapeHtml(s.label)}</span>`)
    .join(" ");
  return `${head}<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(c.title)}">${axes}${lines.join("")}</svg><div class="legend">${legend}</div></figure>`;
}

function block(b: ExportBlock): string {
  switch (b.kind) {
    case "heading": {
      const l = Math.min(4, Math.max(2, b.level + 1));
      return `<h${l}>${escapeHtml(b.text)}</h${l}>`;
    }
    case "markdown":
      return `<div class="md">${renderMarkdown(b.text)}</div>`;
    case "code":
      return `<pre><code>${escapeHtml(b.text)}</code></pre>`;
    case "charts":
      return `<section><p class="muted">${escapeHtml(b.caption)}</p><div class="charts">${b.charts.map(chartSvg).join("")}</div></section>`;
    case "table": {
      const head = b.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
      const rows = b.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`).join("");
      return `<section><p class="muted">${escapeHtml(b.caption)}</p><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></section>`;
    }
    case "image":
      // only an embedded raster image: the file must open offline, and nothing else may load
      if (!DATA_IMAGE.test(b.src)) return `<p class="muted">${escapeHtml(b.caption)}</p>`;
      return `<figure><img src="${b.src}" alt="${escapeHtml(b.caption)}"><figcaption>${escapeHtml(b.caption)}</figcaption></figure>`;
    case "note":
      return `<p class="muted">${escapeHtml(b.text)}</p>`;
    case "media": {
      const items = b.items.map((it) =>
        "note" in it
          ? `<p class="muted">${escapeHtml(it.note)}</p>`
          : DATA_IMAGE.test(it.src)
            ? `<figure class="media-item"><img src="${it.src}" alt="${escapeHtml(it.caption)}"><figcaption>${escapeHtml(it.caption)}</figcaption></figure>`
            : `<p class="muted">${escapeHtml(it.caption)}</p>`,
      );
      return `<section><p class="muted">${escapeHtml(b.caption)}</p><div class="media">${items.join("")}</div></section>`;
    }
    case "artifact":
      return `<section class="artifact-card"><p><b>${escapeHtml(b.title)}</b> <span class="muted">${escapeHtml(b.details)}</span></p>${
        b.aliases ? `<p class="muted">${escapeHtml(b.aliases)}</p>` : ""
      }${b.description ? `<div class="md">${renderMarkdown(b.description)}</div>` : ""}</section>`;
  }
}

const STYLE = `body{font:14px/1.5 system-ui,sans-serif;max-width:980px;margin:24px auto;padding:0 16px;color:#222}
h1{font-size:26px}.muted{color:#666}.charts{display:flex;flex-wrap:wrap;gap:12px}
figure.chart{margin:0;border:1px solid #ddd;border-radius:6px;padding:8px}figcaption{font-weight:600}
.legend{font-size:12px}.key{margin-right:10px;white-space:nowrap}.key i{display:inline-block;width:10px;height:10px;margin-right:4px}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
pre{background:#f5f5f5;padding:8px;overflow:auto}img{max-width:100%}
.media{display:flex;flex-wrap:wrap;gap:12px}figure.media-item{margin:0;max-width:300px}
.artifact-card{border:1px solid #ddd;border-radius:6px;padding:8px}svg text{fill:#444}@media print{figure.chart{break-inside:avoid}}`;

/** The HTML file of a report: title, blocks, and the charts' data as JSON. */
export function exportHtml(title: string, blocks: ExportBlock[], footer: string): string {
  const data = JSON.stringify({ title, blocks }).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${blocks.map(block).join("\n")}
<p class="muted">${escapeHtml(footer)}</p>
<script type="application/json" id="runyard-report-data">${data}</script>
</body></html>
`;
}
