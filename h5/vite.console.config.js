// The PC console (/console/): a second Vite build from the same package and lockfile as the H5.
// Its own root (console/), base and output directory, so nothing of it is in the H5's chunks and
// the H5's code it reuses (the API client, the auth store) is bundled into the console's own.
import { defineConfig, loadEnv } from 'vite'
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import AutoImport from 'unplugin-auto-import/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))

export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, here('.'), 'VITE_')
  const backend = env.VITE_DEV_BACKEND || 'http://127.0.0.1:8000'
  return {
    root: here('./console'),
    envDir: here('.'),
    base: '/console/',
    logLevel: mode === 'production' ? 'warn' : 'info',
    plugins: [
      vue(),
      // Element Plus components and functions (ElMessage …) imported on demand, with their CSS
      AutoImport({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false }),
      Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false, dirs: [] }),
    ],
    build: {
      target: 'es2019',
      outDir: here('./dist-console'),
      emptyOutDir: true,
      chunkSizeWarningLimit: 1200,
      manifest: true,
      reportCompressedSize: false,
      rolldownOptions: { checks: { pluginTimings: false } },
    },
    server: {
      port: 5174,
      proxy: { '/api': backend },
    },
  }
})
