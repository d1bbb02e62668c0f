import { useEffect, useState } from "react";
import { fileJson, fileUrl } from "../../api/media";

export interface RunRef {
  entity: string;
  project: string;
  run: string;
}

/** A run file as a blob: URL (null while loading), or the error. */
export function useFileUrl(r: RunRef, path: string | null | undefined): { url: string | null; error: string | null } {
  const [s, set] = useState<{ url: string | null; error: string | null; path?: string | null }>({ url: null, error: null });
  useEffect(() => {
    if (!path) return;
    let live = true;
    fileUrl(r.entity, r.project, r.run, path).then(
      (url) => live && set({ url, error: null, path }),
      (e: Error) => live && set({ url: null, error: e.message, path }),
    );
    return () => {
      live = false;
    };
  }, [r.entity, r.project, r.run, path]);
  return s.path === path ? s : { url: null, error: null };
}

export function useFileJson<T>(r: RunRef, path: string | null | undefined): { data: T | null; error: string | null } {
  const [s, set] = useState<{ data: T | null; error: string | null; path?: string | null }>({ data: null, error: null });
  useEffect(() => {
    if (!path) return;
    let live = true;
    fileJson<T>(r.entity, r.project, r.run, path).then(
      (data) => live && set({ data, error: null, path }),
      (e: Error) => live && set({ data: null, error: e.message, path }),
    );
    return () => {
      live = false;
    };
  }, [r.entity, r.project, r.run, path]);
  return s.path === path ? s : { data: null, error: null };
}
