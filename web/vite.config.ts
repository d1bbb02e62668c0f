import { defineConfig } from "vitest/config";

// No @vitejs/plugin-react: Vite 8 compiles TSX itself (automatic JSX runtime); the plugin would only
// add Fast Refresh, which is not worth a Babel dependency here. See web/README.md.
export default defineConfig({
  base: "/",
  build: {
    outDir: "../runyard/webui/dist",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    // three.js (~740 KB, 185 KB gzipped) is its own chunk, loaded only when a 3-D point cloud is shown
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npm run dev` proxies the API to a local `runyard server` (RUNYARD_URL, default :8080).
    proxy: { "/api": { target: process.env.RUNYARD_URL ?? "http://127.0.0.1:8080", changeOrigin: true } },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
