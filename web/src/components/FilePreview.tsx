/** Preview of one file: text (first 256 KiB) or an image, loaded by `load` (with the API key). */

import { useEffect, useState } from "react";
import { t } from "../i18n";

export function FilePreview({ path, kind, load, onClose }: { path: string; kind: "text" | "image"; load: (maxBytes?: number) => Promise<Blob>; onClose: () => void }) {
  const [text, setText] = useState<string | null>(null);
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let url: string | null = null;
    let live = true;
    setText(null);
    setSrc(null);
    setError(null);
    (kind === "text" ? load(256 * 1024).then((b) => b.text()).then((t) => live && setText(t)) : load().then((b) => {
      if (!live) return;
      url = URL.createObjectURL(b.type.startsWith("image/") || !path.toLowerCase().endsWith(".svg") ? b : new Blob([b], { type: "image/svg+xml" }));
      setSrc(url);
    })).catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [path, kind, load]);
  return (
    <section aria-label={t("files.previewOf", { path })} className="file-preview">
      <h3>
        <span translate="no">{path}</span>{" "}
        <button type="button" className="icon" aria-label={t("files.closePreview")} onClick={onClose}>✕</button>
      </h3>
      {error && <p className="error-text">{t("files.cannotPreview", { error })}</p>}
      {!error && kind === "text" && <pre className="code preview">{text ?? t("files.loadingText")}</pre>}
      {!error && kind === "image" && (src ? <img className="preview-img" src={src} alt={path} /> : <p className="muted">{t("files.loadingText")}</p>)}
    </section>
  );
}

/** Save a blob under `name` through a temporary object URL. */
export function saveBlob(blob: Blob, name: string): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
