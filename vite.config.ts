// The renderer build: React app in renderer/, built into dist/renderer with relative asset paths so the same
// files load from the HTTP server and from the packaged Electron app.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: { host: '127.0.0.1', proxy: { '/api': 'http://127.0.0.1:5610' } },
});
