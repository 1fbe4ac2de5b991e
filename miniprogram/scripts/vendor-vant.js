#!/usr/bin/env node
// Copies the @vant/weapp components the mini-program uses (and the ones they use) from the
// package's lib/ folder (CommonJS, which jest can load; dist/ is ES modules) into
// src/miniprogram_npm/@vant/weapp — the folder WeChat DevTools' "构建 npm" would make, without that step.
// Only the components that a page's or component's .json names (and what those use) are copied,
// so the main package stays small.
const fs = require('fs')
const path = require('path')

const SHARED = ['common', 'mixins', 'wxs', 'definitions']

const root = path.resolve(__dirname, '..')
const lib = path.join(root, 'node_modules', '@vant', 'weapp', 'lib')
const out = path.join(root, 'src', 'miniprogram_npm', '@vant', 'weapp')

function copyDir(from, to) {
  fs.mkdirSync(to, { recursive: true })
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name)
    const dst = path.join(to, entry.name)
    if (entry.isDirectory()) copyDir(src, dst)
    else if (!entry.name.endsWith('.d.ts')) fs.copyFileSync(src, dst)
  }
}

/** The components a component's index.json names, transitively. */
function closure(names) {
  const seen = new Set()
  const todo = [...names]
  while (todo.length) {
    const name = todo.pop()
    if (seen.has(name)) continue
    const json = path.join(lib, name, 'index.json')
    if (!fs.existsSync(json)) throw new Error(`@vant/weapp has no component "${name}"`)
    seen.add(name)
    const using = JSON.parse(fs.readFileSync(json, 'utf8')).usingComponents || {}
    for (const rel of Object.values(using)) todo.push(rel.split('/')[1])
  }
  return [...seen].sort()
}

/** The Vant components our own .json files name in usingComponents. */
function usedComponents(dir, found = new Set()) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name !== 'miniprogram_npm') usedComponents(p, found)
    } else if (entry.name.endsWith('.json')) {
      const using = JSON.parse(fs.readFileSync(p, 'utf8')).usingComponents || {}
      for (const target of Object.values(using)) {
        const m = /^\/miniprogram_npm\/@vant\/weapp\/([a-z-]+)\/index$/.exec(target)
        if (m) found.add(m[1])
      }
    }
  }
  return [...found]
}

if (!fs.existsSync(lib)) {
  console.error('node_modules/@vant/weapp/lib is missing: run `npm ci` in miniprogram/ first')
  process.exit(1)
}
fs.rmSync(out, { recursive: true, force: true })
const components = closure(usedComponents(path.join(root, 'src')))
for (const name of [...SHARED, ...components]) copyDir(path.join(lib, name), path.join(out, name))
// qrcode-generator: one CommonJS file, drawn on the client (the QR is never fetched as an image)
const qrOut = path.join(root, 'src', 'miniprogram_npm', 'qrcode-generator')
fs.rmSync(qrOut, { recursive: true, force: true })
fs.mkdirSync(qrOut, { recursive: true })
// @ts-nocheck: it is the package's code, not ours to type-check
const qrSource = fs.readFileSync(path.join(root, 'node_modules', 'qrcode-generator', 'dist', 'qrcode.js'), 'utf8')
fs.writeFileSync(path.join(qrOut, 'index.js'), `// @ts-nocheck\n${qrSource}`)
console.log(`vendored qrcode-generator and @vant/weapp: ${components.join(', ')}`)
