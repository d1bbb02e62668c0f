import { describe, expect, it } from "vitest";
import { chartSvg, exportHtml } from "./reportExport";

describe("static report export", () => {
  it("draws each series as a line and breaks it at gaps", () => {
    const svg = chartSvg({ title: "loss", xLabel: "Step", series: [{ label: "a", color: "#ff0000", x: [0, 1, 2, 3], y: [1, 2, null, 4] }] });
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('stroke="#ff0000"');
  });
  it("embeds images only as data URLs of raster types", () => {
    const ok = exportHtml("t", [{ kind: "image", src: "data:image/png;base64,iVBORw0KGgo=", caption: "c" }], "");
    expect(ok).toContain('<img src="data:image/png;base64,iVBORw0KGgo="');
    for (const src of ["https://evil.example/x.png", "data:image/svg+xml;base64,PHN2Zz4=", 'data:image/png;base64,AA" onerror="x'])
      expect(exportHtml("t", [{ kind: "image", src, caption: "c" }], "")).not.toContain("<img");
  });
  it("escapes every user text and embeds the data inertly", () => {
    const evil = "</script><script>alert(1)</script>";
    const html = exportHtml(evil, [
      { kind: "heading", text: evil, level: 1 },
      { kind: "markdown", text: evil },
      { kind: "code", text: evil, language: "x" },
      { kind: "table", caption: evil, columns: [evil], rows: [[evil]] },
      { kind: "charts", caption: evil, charts: [{ title: evil, xLabel: evil, series: [{ label: evil, color: "red;x:url(y)", x: [0, 1], y: [0, 1] }] }] },
      { kind: "media", caption: evil, items: [{ src: "data:image/png;base64,iVBORw0KGgo=", caption: evil }, { src: "https://evil.example/x.png", caption: evil }, { note: evil }] },
      { kind: "artifact", title: evil, details: evil, aliases: evil, description: evil },
    ], evil);
    expect(html.match(/<img/g)).toHaveLength(1); // the data: image of the media panel, not the remote one
    expect(html.match(/<script/g)).toHaveLength(1); // only the JSON data block
    expect(html).toContain('<script type="application/json" id="runyard-report-data">');
    expect(html.split("runyard-report-data")[0]).not.toContain("url(y)"); // a colour that is not one is not used
    const json = html.split('id="runyard-report-data">')[1].split("</script>")[0];
    expect(JSON.parse(json).title).toBe(evil);
  });
});
