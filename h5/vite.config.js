import { defineConfig, loadEnv } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'

export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, process.cwd(), 'VITE_')
  const backend = env.VITE_DEV_BACKEND || 'http://127.0.0.1:8000'
  return {
    base: '/h5/',
    logLevel: mode === 'production' ? 'warn' : 'info',
    plugins: [
      vue(),
      // Vant components are imported on demand, with their styles, where a template uses them
      Components({ resolvers: [VantResolver()], dts: false }),
    ],
    build: {
      target: 'es2019',
      outDir: 'dist',
      emptyOutDir: true,
      chunkSizeWarningLimit: 600,
      manifest: true,
      // scripts/check-size.mjs prints what matters: the first screen's gzip sizes against the budget
      reportCompressedSize: false,
      rolldownOptions: { checks: { pluginTimings: false } },
    },
    server: {
      proxy: {
        '/api/v1/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
        '/api': backend,
      },
    },
    test: {
      environment: 'happy-dom',
      include: ['tests/unit/**/*.spec.js'],
      setupFiles: ['tests/unit/setup.js'],
      css: false,
      server: { deps: { inline: ['vant'] } },
    },
  }
})
