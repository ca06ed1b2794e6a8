import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The build lands in the control plane's static folder, which serves it (SPA routing,
// long-lived caching of the hashed files under /assets/, a CSP without inline scripts).
// Relative asset URLs: index.html's <base href>, written by the control plane from its public URL,
// makes them work at a host's root and behind a proxy under a path (lib/base.ts).
export default defineConfig({
  plugins: [react()],
  base: "./",
  build: {
    outDir: "../src/twinplane/server/control_plane/static",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    target: "es2022",
  },
  server: {
    // `npm run dev`: proxy the control plane's API so the session cookie stays same-origin.
    proxy: {
      "/api": process.env.TWINPLANE_CONTROL_URL ?? "http://127.0.0.1:8000",
      "/.well-known": process.env.TWINPLANE_CONTROL_URL ?? "http://127.0.0.1:8000",
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
