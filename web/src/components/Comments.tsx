/** Comments on a report or a run: author and time, Markdown bodies (rendered safely), add and delete. */

import { useState } from "react";
import { api } from "../api/client";
import type { Comment } from "../api/types";
import { formatDate } from "../core/format";
import { useAsync } from "../hooks";
import { t } from "../i18n";
import { Markdown } from "./Markdown";

export function Comments(props: { load: (signal: AbortSignal) => Promise<Comment[]>; add: (body: string) => Promise<Comment>; canAdd: boolean }) {
  const list = useAsync(props.load, []);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const post = async () => {
    try {
      await props.add(text);
      setText("");
      setError(null);
      list.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const remove = async (c: Comment) => {
    try {
      await api.deleteComment(c.id);
      list.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div className="comments">
      {(list.data ?? []).length === 0 && <p className="muted">{t("comments.none")}</p>}
      <ul>
        {(list.data ?? []).map((c) => (
          <li key={c.id} className="comment">
            <div className="comment-head">
              <b translate="no">{c.author}</b> <span className="muted">{formatDate(c.created_at)}</span>{" "}
              <button type="button" className="link" onClick={() => void remove(c)}>
                {t("comments.delete")}
              </button>
            </div>
            <Markdown text={c.body} />
          </li>
        ))}
      </ul>
      {props.canAdd && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void post();
          }}
        >
          <textarea aria-label={t("comments.add")} rows={3} value={text} onChange={(e) => setText(e.target.value)} />
          <br />
          <button type="submit" disabled={!text.trim()}>
            {t("comments.post")}
          </button>
        </form>
      )}
      {error && <p className="error-text" role="alert">{error}</p>}
    </div>
  );
}
