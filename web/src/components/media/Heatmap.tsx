/** Histograms of one run over steps: x = step, y = bins, colour = count (sqrt scale), hover readout. */

import { useEffect, useMemo, useRef, useState } from "react";
import { formatNumber } from "../../core/format";
import { heatGrid, heatLevel, viridis, type Hist } from "../../core/heatmap";
import { t } from "../../i18n";
import { themeColor } from "../../theme";

export function Heatmap({ steps, hists, width, height = 200, current }: { steps: number[]; hists: Hist[]; width: number; height?: number; current?: number | null }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const grid = useMemo(() => heatGrid(steps, hists, 48), [steps, hists]);
  const [hover, setHover] = useState<string | null>(null);
  const LEFT = 56;
  const BOTTOM = 18;
  const pw = Math.max(10, width - LEFT - 4);
  const ph = height - BOTTOM;
  useEffect(() => {
    const c = ref.current;
    const g = c?.getContext("2d");
    if (!c || !g) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = width * dpr;
    c.height = height * dpr;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, height);
    const nx = grid.steps.length;
    if (!nx) return;
    const empty = themeColor("--media-bg");
    const cw = pw / nx;
    const rh = ph / grid.ny;
    for (let i = 0; i < nx; i++)
      for (let r = 0; r < grid.ny; r++) {
        const v = grid.counts[i * grid.ny + r];
        if (v > 0) {
          const [R, G, B] = viridis(heatLevel(v, grid.max));
          g.fillStyle = `rgb(${R},${G},${B})`;
        } else g.fillStyle = empty;
        g.fillRect(LEFT + i * cw, ph - (r + 1) * rh, Math.ceil(cw), Math.ceil(rh));
      }
    g.fillStyle = themeColor("--axis");
    g.font = "11px system-ui, sans-serif";
    g.textAlign = "right";
    for (const f of [0, 0.5, 1]) {
      const y = ph - f * ph;
      g.fillText(formatNumber(grid.edges[0] + f * (grid.edges[grid.ny] - grid.edges[0]), 3), LEFT - 4, Math.min(ph - 2, Math.max(10, y + 4)));
    }
    g.textAlign = "left";
    g.fillText(t("media.step", { step: grid.steps[0] }), LEFT, height - 4);
    g.textAlign = "right";
    g.fillText(`${grid.steps[nx - 1]}`, LEFT + pw, height - 4);
    if (current != null) {
      const i = grid.steps.indexOf(current);
      if (i >= 0) {
        g.strokeStyle = "#e6194b";
        g.lineWidth = 1.5;
        g.strokeRect(LEFT + i * cw, 0, Math.max(2, cw), ph);
      }
    }
  }, [grid, width, height, pw, ph, current]);
  return (
    <div className="heatmap" style={{ width }}>
      <canvas
        ref={ref}
        style={{ width, height }}
        aria-label={t("media.histOver")}
        data-columns={grid.steps.length}
        onMouseMove={(e) => {
          const r = e.currentTarget.getBoundingClientRect();
          const x = e.clientX - r.left - LEFT;
          const y = e.clientY - r.top;
          const i = Math.floor((x / pw) * grid.steps.length);
          const row = grid.ny - 1 - Math.floor((y / ph) * grid.ny);
          if (i < 0 || i >= grid.steps.length || row < 0 || row >= grid.ny) return setHover(null);
          setHover(t("media.histHover", { step: grid.steps[i], lo: formatNumber(grid.edges[row], 3), hi: formatNumber(grid.edges[row + 1], 3), count: formatNumber(grid.counts[i * grid.ny + row], 3) }));
        }}
        onMouseLeave={() => setHover(null)}
      />
      <div className="muted heatmap-readout">{hover ?? t("media.histCount", { n: grid.steps.length })}</div>
    </div>
  );
}
