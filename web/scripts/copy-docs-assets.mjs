// The API's docs page (/api/v1/docs) loads Swagger UI from the hub itself, never a CDN:
// copy its two files from swagger-ui-dist into the build.
import { copyFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const web = join(dirname(fileURLToPath(import.meta.url)), '..')
const from = join(web, 'node_modules', 'swagger-ui-dist')
const to = join(web, 'dist', 'docs-assets')
mkdirSync(to, { recursive: true })
for (const name of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
  copyFileSync(join(from, name), join(to, name))
}
