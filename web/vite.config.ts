import { fileURLToPath, URL } from 'node:url'

import vue from '@vitejs/plugin-vue'
import { VantResolver } from '@vant/auto-import-resolver'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import type { Plugin as PostcssPlugin } from 'postcss'
import { defineConfig } from 'vitest/config'

/** Vant's icon font names a CDN copy after its inlined one: a site without internet (and the
 * app's Content-Security-Policy) must never reach for it, so the build drops it. */
const noRemoteFonts: PostcssPlugin = {
  postcssPlugin: 'no-remote-fonts',
  AtRule: {
    'font-face': (rule) => {
      rule.walkDecls('src', (decl) => {
        decl.value = decl.value
          .split(/,(?=\s*url\()/)
          .filter((source) => !/url\(\s*['"]?(https?:)?\/\//.test(source))
          .join(',')
      })
    },
  },
}

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
  css: { postcss: { plugins: [noRemoteFonts] } },
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: { proxy: { '/api': { target: 'http://127.0.0.1:8000', ws: true } } },
  build: { chunkSizeWarningLimit: 800 },
  test: { environment: 'jsdom', include: ['src/**/*.spec.ts'] },
})
