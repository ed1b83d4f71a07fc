import { defineConfig } from 'vite';

// Relative asset paths and one folder of hashed files; the server embeds dist/ and serves it as is.
export default defineConfig({
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: 'assets', sourcemap: false },
});
