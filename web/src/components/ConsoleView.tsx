/** Console output of a run: ANSI colours, \r progress lines collapsed, search, live tail. */

import { useEffect, useMemo, useRef, useState } from "react";
import { api } from "../api/client";
import type { ConsoleLine } from "../api/types";
import { collapseCR, parseAnsi, stripAnsi } from "../core/ansi";
import { formatCount, t } from "../i18n";

export function ConsoleView({ entity, project, run, live }: { entity: string; project: string; run: string; live: boolean }) {
  const [lines, setLines] = useState<ConsoleLine[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [q, setQ] = useState("");
  const [follow, setFollow] = useState(true);
  const cursor = useRef(-1);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let stop = false;
    cursor.current = -1;
    setLines([]);
    const pull = async () => {
      try {
        for (;;) {
          const r = await api.console(entity, project, run, cursor.current, 5000);
          if (stop) return;
          if (r.lines.length) {
            cursor.current = r.lines[r.lines.length - 1].cursor;
            setLines((ls) => ls.concat(r.lines));
          }
          if (r.next_after === null) break;
        }
        setError(null);
      } catch (e) {
        if (!stop) setError((e as Error).message);
      }
    };
    void pull();
    const t = live ? setInterval(pull, 2000) : undefined;
    return () => {
      stop = true;
      if (t) clearInterval(t);
    };
  }, [entity, project, run, live]);

  const rendered = useMemo(() => {
    let state = {};
    const low = q.toLowerCase();
    const out = [];
    for (const l of lines) {
      const text = collapseCR(l.line);
      const parsed = parseAnsi(text, state);
      state = parsed.state;
      if (low && !stripAnsi(text).toLowerCase().includes(low)) continue;
      out.push({ l, spans: parsed.spans });
    }
    return out;
  }, [lines, q]);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [rendered, follow]);

  return (
    <div className="console">
      <div className="console-bar">
        <input type="search" placeholder={t("console.search")} aria-label={t("console.search")} value={q} onChange={(e) => setQ(e.target.value)} />
        <label><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> {t("console.follow")}</label>
        <span className="muted">{q ? t("console.linesOf", { shown: formatCount(rendered.length), n: formatCount(lines.length) }) : t("console.lines", { n: formatCount(lines.length) })}</span>
      </div>
      {error && <div className="error-text" role="alert">{error}</div>}
      <div className="console-lines" ref={box} tabIndex={0} aria-label={t("console.output")} role="log" translate="no">
        {lines.length === 0 && !error && <div className="muted" translate="yes">{t("console.none")}</div>}
        {rendered.map(({ l, spans }) => (
          <div key={l.cursor} className={`console-line${l.stream === "stderr" ? " stderr" : ""}`}>
            {spans.map((s, i) => (
              <span
                key={i}
                style={{
                  color: s.fg,
                  background: s.bg,
                  fontWeight: s.bold ? 700 : undefined,
                  opacity: s.dim ? 0.7 : undefined,
                  fontStyle: s.italic ? "italic" : undefined,
                  textDecoration: s.underline ? "underline" : undefined,
                }}
              >
                {s.text}
              </span>
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}
