import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The collector serves viewer/dist on its own port; in development Vite forwards API calls to it.
const collector = process.env.RUNLENS_URL ?? 'http://127.0.0.1:4318';

export default defineConfig({
  base: '/',
  plugins: [svelte()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 800 },
  server: {
    proxy: {
      '/api': { target: collector, changeOrigin: false },
      '/v1': { target: collector, changeOrigin: false },
      '/healthz': { target: collector, changeOrigin: false },
    },
  },
});
