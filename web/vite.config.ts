/// <reference types="vitest/config" />
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

// dist/.keep is committed so `go:embed all:dist` compiles on a fresh clone;
// vite empties dist on every build, so put the placeholder back afterwards.
function keepPlaceholder(): Plugin {
  return {
    name: 'turnpike-keep-placeholder',
    apply: 'build',
    closeBundle() {
      writeFileSync(resolve(__dirname, 'dist/.keep'), '');
    },
  };
}

// No @vitejs/plugin-react: esbuild's automatic JSX runtime is all we need
// (no fast refresh in dev, which is an acceptable trade for one less dependency).
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  plugins: [keepPlaceholder()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    port: 5173,
    proxy: {
      '/v1': { target: 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    // Waits return as soon as their condition holds; the long bounds only
    // matter when the whole suite shares two busy cores.
    testTimeout: 30000,
  },
});
