#!/usr/bin/env node
// Prints the size of the main package and of each subpackage (what WeChat DevTools would upload
// from src/, vendored components included) and fails when one is above WeChat's 2 MB limit.
const fs = require('fs')
const path = require('path')

const LIMIT = 2 * 1024 * 1024
const src = path.resolve(__dirname, '..', 'src')
const app = JSON.parse(fs.readFileSync(path.join(src, 'app.json'), 'utf8'))
const roots = (app.subPackages || app.subpackages || []).map((p) => p.root.replace(/\/$/, ''))

function size(dir, skip = []) {
  let total = 0
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (skip.includes(path.relative(src, p))) continue
    total += e.isDirectory() ? size(p, skip) : fs.statSync(p).size
  }
  return total
}

if (!fs.existsSync(path.join(src, 'miniprogram_npm'))) {
  console.error('src/miniprogram_npm is missing: run `npm run vendor` first (the size would be wrong)')
  process.exit(1)
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`
const rows = [['主包 (main package)', size(src, roots)], ...roots.map((r) => [`分包 ${r}`, size(path.join(src, r))])]
let failed = false
for (const [name, bytes] of rows) {
  const over = bytes > LIMIT
  failed = failed || over
  console.log(`${name.padEnd(24)} ${kb(bytes).padStart(10)}${over ? '  > 2 MB: too large' : ''}`)
}
console.log(`${'total'.padEnd(24)} ${kb(rows.reduce((a, [, b]) => a + b, 0)).padStart(10)}   (limit 2048.0 KB per package)`)
process.exit(failed ? 1 : 0)
