// After `vite build`: print the gzip sizes of what the first screen loads (the entry chunk and its
// static imports, and their CSS) and fail the build when that JavaScript passes the budget.
import { readFileSync, rmSync, existsSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const BUDGET_KB = 300
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
const manifestPath = join(dist, '.vite', 'manifest.json')
if (!existsSync(manifestPath)) {
  console.error('check-size: dist/.vite/manifest.json is missing (build.manifest must be on)')
  process.exit(1)
}
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
rmSync(join(dist, '.vite'), { recursive: true, force: true }) // not for serving

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry)
const seen = new Set()
const js = []
const css = new Set()
;(function walk(key) {
  if (seen.has(key)) return
  seen.add(key)
  const chunk = manifest[key]
  js.push(chunk.file)
  for (const c of chunk.css || []) css.add(c)
  for (const imp of chunk.imports || []) walk(imp)
})(entryKey)

const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length
const kb = (n) => `${(n / 1024).toFixed(1)} KB`
let jsTotal = 0
let cssTotal = 0
console.log('h5/dist built; the first screen loads (gzip):')
for (const f of js) {
  const n = gz(f)
  jsTotal += n
  console.log(`  ${f.padEnd(44)} ${kb(n).padStart(10)}`)
}
for (const f of css) {
  const n = gz(f)
  cssTotal += n
  console.log(`  ${f.padEnd(44)} ${kb(n).padStart(10)}`)
}
const lazy = Object.values(manifest).filter((c) => c.isDynamicEntry).length
console.log(`  JavaScript ${kb(jsTotal)} of ${BUDGET_KB} KB budget, CSS ${kb(cssTotal)}; ${lazy} pages load lazily`)
if (jsTotal > BUDGET_KB * 1024) {
  console.error(`check-size: the initial JavaScript is ${kb(jsTotal)} gzipped, over the ${BUDGET_KB} KB budget`)
  process.exit(1)
}
