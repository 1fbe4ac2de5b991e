// After `vite build` (the H5 into dist/, the console into dist-console/): print the gzip sizes of what
// each first screen loads (the entry chunk and its static imports, and their CSS) and fail the build
// when that JavaScript passes its budget: the H5 ≤ 300 KB, the PC console ≤ 500 KB.
import { readFileSync, rmSync, existsSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = join(dirname(fileURLToPath(import.meta.url)), '..')
const BUNDLES = [
  { name: 'h5', dist: join(HERE, 'dist'), budgetKb: 300 },
  { name: 'console', dist: join(HERE, 'dist-console'), budgetKb: 500 },
]

const kb = (n) => `${(n / 1024).toFixed(1)} KB`

function check({ name, dist, budgetKb }) {
  const manifestPath = join(dist, '.vite', 'manifest.json')
  if (!existsSync(manifestPath)) {
    console.error(`check-size: ${name}: ${manifestPath} is missing (build.manifest must be on)`)
    return false
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
  let jsTotal = 0
  let cssTotal = 0
  console.log(`${name}: built; the first screen loads (gzip):`)
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
  console.log(`  JavaScript ${kb(jsTotal)} of ${budgetKb} KB budget, CSS ${kb(cssTotal)}; ${lazy} pages load lazily`)
  if (jsTotal > budgetKb * 1024) {
    console.error(`check-size: ${name}: the initial JavaScript is ${kb(jsTotal)} gzipped, over the ${budgetKb} KB budget`)
    return false
  }
  return true
}

const only = process.argv[2]
const results = BUNDLES.filter((b) => !only || b.name === only).map(check)
if (results.includes(false)) process.exit(1)
