/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The frontend target serves dist/ (FRONTEND_DIST_DIR) with long-lived caching for assets/*, whose
// names carry a content hash, and no-cache for index.html.
export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: false },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
    // The CSP has no 'unsafe-inline' for scripts: never inline a script into index.html.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
    restoreMocks: true,
  },
});
