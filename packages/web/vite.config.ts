import { defineConfig } from 'vite'

// In development the page talks to room-api (which serves it in production) through this proxy,
// so the API, the films and the invite links keep one origin. ROOM_API_URL points elsewhere.
const roomApi = process.env.ROOM_API_URL ?? 'http://127.0.0.1:3001'

export default defineConfig({
  // Preact's automatic JSX runtime (no React, no compat layer).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': roomApi,
      '/media': roomApi,
      '/r/': roomApi,
      '/config.json': roomApi
    }
  },
  build: {
    outDir: 'dist',
    // Hashed file names under assets/: room-api serves them with a year-long immutable cache.
    assetsDir: 'assets',
    sourcemap: true,
    target: 'es2022'
  }
})
