import { fileURLToPath, URL } from 'node:url'

import vue from '@vitejs/plugin-vue'
import { VantResolver } from '@vant/auto-import-resolver'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { defineConfig } from 'vitest/config'

// Element Plus and Vant are imported per component (a console page does not carry the phone
// library, nor a phone page the console's), and each feature's pages are their own chunks.
export default defineConfig({
  plugins: [
    vue(),
    Components({
      resolvers: [ElementPlusResolver({ importStyle: 'css' }), VantResolver()],
      dts: 'src/components.d.ts',
    }),
  ],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: { proxy: { '/api': { target: 'http://127.0.0.1:8000', ws: true } } },
  build: { chunkSizeWarningLimit: 800 },
  test: { environment: 'jsdom', include: ['src/**/*.spec.ts'] },
})
