/**
 * 3-D point clouds (`.pts.json`: rows [x, y, z], [x, y, z, category] or [x, y, z, r, g, b], or
 * wandb's {"type": "lidar/beta", "points", "boxes"}) with three.js: drag to rotate, wheel to zoom,
 * right-drag to pan. three.js is loaded on first use (its own chunk), so pages without 3-D pay nothing.
 */

import { useEffect, useRef, useState } from "react";
import { classColor, type MediaItem } from "../../core/media";
import { useFileJson, type RunRef } from "./useFile";
import { t } from "../../i18n";

export function pointArrays(doc: unknown): { pos: Float32Array; col: Float32Array; boxes: number[][][] } {
  const d = doc as { points?: unknown; boxes?: unknown } | unknown[];
  const pts = (Array.isArray(d) ? d : Array.isArray(d?.points) ? d.points : []) as number[][];
  const pos = new Float32Array(pts.length * 3);
  const col = new Float32Array(pts.length * 3);
  pts.forEach((p, i) => {
    pos.set([+p[0] || 0, +p[1] || 0, +p[2] || 0], i * 3);
    if (p.length >= 6) col.set([p[3] / 255, p[4] / 255, p[5] / 255], i * 3);
    else if (p.length === 4) {
      const [r, g, b] = classColor(Math.round(p[3]));
      col.set([r / 255, g / 255, b / 255], i * 3);
    } else col.set([0.23, 0.44, 0.71], i * 3);
  });
  const boxes: number[][][] = [];
  if (!Array.isArray(d) && Array.isArray(d?.boxes))
    for (const b of d.boxes as { corners?: number[][] }[]) if (Array.isArray(b?.corners) && b.corners.length === 8) boxes.push(b.corners);
  return { pos, col, boxes };
}

export function PointCloud({ src, item, width = 360, height = 280 }: { src: RunRef; item: MediaItem; width?: number; height?: number }) {
  const host = useRef<HTMLDivElement>(null);
  const { data, error } = useFileJson<unknown>(src, /\.pts\.json$/i.test(item.path) ? item.path : null);
  const [msg, setMsg] = useState<string | null>(/\.pts\.json$/i.test(item.path) ? null : t("media.cloudDownload", { ext: item.path.split(".").pop() ?? "" }));
  useEffect(() => {
    const el = host.current;
    if (!el || !data) return;
    let dispose = () => {};
    let live = true;
    (async () => {
      const THREE = await import("three");
      const { OrbitControls } = await import("three/examples/jsm/controls/OrbitControls.js");
      if (!live) return;
      let renderer: import("three").WebGLRenderer;
      try {
        renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
      } catch {
        setMsg(t("media.noWebgl"));
        return;
      }
      const { pos, col, boxes } = pointArrays(data);
      renderer.setPixelRatio(window.devicePixelRatio || 1);
      renderer.setSize(width, height);
      renderer.setClearColor(0x101418);
      el.appendChild(renderer.domElement);
      const scene = new THREE.Scene();
      const geo = new THREE.BufferGeometry();
      geo.setAttribute("position", new THREE.BufferAttribute(pos, 3));
      geo.setAttribute("color", new THREE.BufferAttribute(col, 3));
      geo.computeBoundingSphere();
      const sphere = geo.boundingSphere ?? new THREE.Sphere(new THREE.Vector3(), 1);
      const r = Math.max(sphere.radius, 1e-6);
      scene.add(new THREE.Points(geo, new THREE.PointsMaterial({ size: r / 25, vertexColors: true })));
      for (const c of boxes) {
        const e = [0, 1, 1, 2, 2, 3, 3, 0, 4, 5, 5, 6, 6, 7, 7, 4, 0, 4, 1, 5, 2, 6, 3, 7];
        const g = new THREE.BufferGeometry().setFromPoints(e.map((i) => new THREE.Vector3(c[i][0], c[i][1], c[i][2])));
        scene.add(new THREE.LineSegments(g, new THREE.LineBasicMaterial({ color: 0xffe119 })));
      }
      scene.add(new THREE.AxesHelper(r * 0.3));
      const cam = new THREE.PerspectiveCamera(50, width / height, r / 1000, r * 100);
      cam.up.set(0, 0, 1);
      cam.position.copy(sphere.center).add(new THREE.Vector3(r * 1.6, -r * 1.6, r * 1.2));
      const controls = new OrbitControls(cam, renderer.domElement);
      controls.target.copy(sphere.center);
      controls.update();
      const draw = () => renderer.render(scene, cam);
      controls.addEventListener("change", draw);
      draw();
      el.dataset.points = String(pos.length / 3);
      dispose = () => {
        controls.dispose();
        geo.dispose();
        renderer.dispose();
        renderer.domElement.remove();
      };
    })().catch((e: Error) => live && setMsg(t("media.cloudError", { error: e.message })));
    return () => {
      live = false;
      dispose();
    };
  }, [data, width, height]);
  return (
    <figure className="media-3d" style={{ width }}>
      <div ref={host} className="point-cloud" style={{ width, height }} aria-label={t("media.cloud")} />
      {(error || msg) && <span className="muted">{error ?? msg}</span>}
      {item.caption != null && <figcaption className="media-caption" translate="no">{item.caption}</figcaption>}
    </figure>
  );
}
