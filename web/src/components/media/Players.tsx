/** Audio (with a waveform drawn from the decoded samples), video, and html pages in a sandbox. */

import { useEffect, useRef, useState } from "react";
import { fileBytes, fileText } from "../../api/media";
import { formatDuration } from "../../core/format";
import type { MediaItem } from "../../core/media";
import { peaks } from "../../core/waveform";
import { useFileUrl, type RunRef } from "./useFile";
import { themeColor } from "../../theme";
import { t } from "../../i18n";

/** Served by the web UI (web/public/) with the policy logged html needs; see HtmlFrame. */
const HTML_FRAME = "/html-frame.html";

export function AudioPlayer({ src, item, width = 320 }: { src: RunRef; item: MediaItem; width?: number }) {
  const { url, error } = useFileUrl(src, item.path);
  const canvas = useRef<HTMLCanvasElement>(null);
  const audio = useRef<HTMLAudioElement>(null);
  const [info, setInfo] = useState<string>("");
  const [progress, setProgress] = useState(0);
  const H = 56;
  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const buf = await fileBytes(src.entity, src.project, src.run, item.path);
        const Ctx = window.OfflineAudioContext ?? (window as unknown as { webkitOfflineAudioContext: typeof OfflineAudioContext }).webkitOfflineAudioContext;
        const ctx = new Ctx(1, 1, item.sampleRate && item.sampleRate >= 3000 && item.sampleRate <= 768000 ? item.sampleRate : 44100);
        const decoded = await ctx.decodeAudioData(buf);
        if (!live) return;
        const pk = peaks(decoded.getChannelData(0), width);
        const c = canvas.current;
        const g = c?.getContext("2d");
        if (!c || !g) return;
        g.clearRect(0, 0, width, H);
        g.fillStyle = themeColor("--link");
        for (let x = 0; x < width; x++) {
          const y0 = ((1 - Math.min(1, pk.max[x])) * H) / 2;
          const y1 = ((1 - Math.max(-1, pk.min[x])) * H) / 2;
          g.fillRect(x, y0, 1, Math.max(1, y1 - y0));
        }
        c.dataset.drawn = "true";
        setInfo(`${decoded.sampleRate} Hz · ${decoded.numberOfChannels} ch · ${formatDuration(decoded.duration)}`);
      } catch (e) {
        if (live) setInfo(t("media.noWaveform", { error: (e as Error).message }));
      }
    })();
    return () => {
      live = false;
    };
  }, [src.entity, src.project, src.run, item.path, item.sampleRate, width]);
  return (
    <figure className="media-audio" style={{ width }}>
      <div className="waveform" onClick={(e) => {
        const a = audio.current;
        if (!a || !a.duration) return;
        const r = e.currentTarget.getBoundingClientRect();
        a.currentTime = ((e.clientX - r.left) / r.width) * a.duration;
      }}>
        <canvas ref={canvas} width={width} height={H} aria-label={t("media.waveform")} />
        <div className="waveform-progress" style={{ width: `${progress * 100}%` }} />
      </div>
      {error ? <span className="error-text">{error}</span> : url && <audio ref={audio} controls preload="metadata" src={url} onTimeUpdate={(e) => setProgress(e.currentTarget.duration ? e.currentTarget.currentTime / e.currentTarget.duration : 0)} />}
      <figcaption>
        {item.caption != null && <span className="media-caption" translate="no">{item.caption}</span>} <span className="muted"><span translate="no">{info}</span></span>
      </figcaption>
    </figure>
  );
}

export function VideoPlayer({ src, item, width = 320 }: { src: RunRef; item: MediaItem; width?: number }) {
  const { url, error } = useFileUrl(src, item.path);
  const gif = /\.gif$/i.test(item.path);
  return (
    <figure className="media-video" style={{ width }}>
      {error && <span className="error-text">{error}</span>}
      {url && (gif ? <img translate="no" src={url} alt={item.caption ?? item.path} style={{ width }} /> : <video src={url} controls loop muted playsInline style={{ width }} />)}
      {item.caption != null && <figcaption className="media-caption" translate="no">{item.caption}</figcaption>}
    </figure>
  );
}

/**
 * Logged html in an iframe with `sandbox="allow-scripts"` and no `allow-same-origin`: the page runs
 * in an opaque origin, so its scripts can draw (plotly exports need them) but cannot read the app's
 * DOM, cookies or localStorage, nor call the API as the user (its requests are cross-site: no session). The frame loads
 * the app's html-frame page (which the server gives a policy that allows inline scripts; `srcdoc`
 * would inherit the app's, which forbids them) and is handed the text once, when it has loaded.
 */
export function HtmlFrame({ src, item, height = 320 }: { src: RunRef; item: MediaItem; height?: number }) {
  const [html, setHtml] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sent = useRef(false);
  useEffect(() => {
    let live = true;
    sent.current = false;
    setHtml(null); // a new frame for a new page: the text is handed over on its first load
    fileText(src.entity, src.project, src.run, item.path).then(
      (t) => live && setHtml(t),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [src.entity, src.project, src.run, item.path]);
  if (error) return <span className="error-text">{error}</span>;
  if (html === null) return <span className="muted">{t("media.loading")}</span>;
  return (
    <figure className="media-html">
      <iframe
        title={t("media.html", { path: item.path })}
        sandbox="allow-scripts"
        referrerPolicy="no-referrer"
        src={HTML_FRAME}
        onLoad={(e) => {
          // once: a later load is the logged page navigating its frame elsewhere
          if (sent.current) return;
          sent.current = true;
          e.currentTarget.contentWindow?.postMessage(html, "*"); // "*": the frame's origin is opaque
        }}
        style={{ height }}
      />
      {item.caption != null && <figcaption className="media-caption" translate="no">{item.caption}</figcaption>}
    </figure>
  );
}
