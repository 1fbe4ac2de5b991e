// The compile check: app.json names exactly the pages that exist, every usingComponents path
// resolves, and WeChat's own compilers (wcc for WXML and WXS, wcsc for WXSS) accept the whole
// source tree. No WXML shows English text.
const fs = require('fs')
const os = require('os')
const path = require('path')
const compiler = require('miniprogram-compiler')
const { SRC } = require('../support/render-page')

const app = JSON.parse(fs.readFileSync(path.join(SRC, 'app.json'), 'utf8'))
const mainPages = app.pages
const subPages = app.subPackages.flatMap((p) => p.pages.map((page) => `${p.root}/${page}`))
const allPages = [...mainPages, ...subPages]

function walk(dir, ext, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) walk(p, ext, out)
    else if (p.endsWith(ext)) out.push(p)
  }
  return out
}
const ours = (p) => !p.includes(`${path.sep}miniprogram_npm${path.sep}`)

test('every page of app.json has its four files; holder pages in the main package, staff and venue in subpackages', () => {
  for (const page of allPages) {
    for (const ext of ['js', 'json', 'wxml', 'wxss']) expect(fs.existsSync(path.join(SRC, `${page}.${ext}`))).toBe(true)
  }
  expect(mainPages.every((p) => p.startsWith('pages/'))).toBe(true)
  expect(app.subPackages.map((p) => p.root).sort()).toEqual(['staff', 'venue'])
  for (const tab of app.tabBar.list) expect(mainPages).toContain(tab.pagePath)
  // no page on disk is left out of app.json
  const onDisk = walk(SRC, '.wxml').filter(ours).map((p) => path.relative(SRC, p).replace(/\.wxml$/, '')).filter((p) => !p.startsWith('components/'))
  expect(onDisk.sort()).toEqual([...allPages].sort())
})

test('every usingComponents path resolves to a component', () => {
  for (const json of walk(SRC, '.json').filter(ours)) {
    const using = JSON.parse(fs.readFileSync(json, 'utf8')).usingComponents || {}
    for (const [tag, target] of Object.entries(using)) {
      const file = target.startsWith('/') ? path.join(SRC, `${target}.json`) : path.resolve(path.dirname(json), `${target}.json`)
      if (!fs.existsSync(file)) throw new Error(`${path.relative(SRC, json)}: <${tag}> → ${target} does not exist (run npm run vendor?)`)
    }
  }
})

test('wcc compiles every WXML (and WXS) file, pages included', () => {
  // eslint-disable-next-line no-new-func
  const gwx = new Function(compiler.wxmlToJs(SRC))()
  for (const page of allPages) expect(typeof gwx(`${page}.wxml`)).toBe('function')
})

test('wcc refuses a broken WXML file (the check can fail)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxml-'))
  fs.writeFileSync(path.join(dir, 'bad.wxml'), '<view wx:if="{{a}}"><text>未闭合</view>')
  try {
    expect(() => compiler.wxmlToJs(dir)).toThrow()
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('wcsc compiles every WXSS file', () => {
  const out = compiler.wxssToJs(SRC)
  expect(typeof out).toBe('string')
  // eslint-disable-next-line no-new-func
  const css = new Function(out)()
  for (const page of allPages) expect(css(`./${page}.wxss`) || css(`${page}.wxss`)).toBeTruthy()
})

test('no English on screen: the text of every WXML file is Chinese', () => {
  for (const file of walk(SRC, '.wxml').filter(ours)) {
    const source = fs.readFileSync(file, 'utf8')
    const textOnly = source
      .replace(/<!--[\s\S]*?-->/g, '')
      .replace(/\{\{[\s\S]*?\}\}/g, ' ') // bound values (first: they may hold a ">")
      .replace(/<[^>]+>/g, ' ') // tags and their attributes
    const english = textOnly.match(/[A-Za-z]{2,}/g)
    if (english) throw new Error(`${path.relative(SRC, file)} shows English: ${english.join(', ')}`)
  }
})

/** The handler names a page or component defines, read by running its file with a capturing Page/Component. */
function handlersOf(jsFile) {
  let captured = null
  const capture = (options) => {
    captured = options
  }
  const source = fs.readFileSync(jsFile, 'utf8')
  const mod = { exports: {} }
  const localRequire = (rel) => require(rel.startsWith('.') ? path.resolve(path.dirname(jsFile), rel) : rel)
  // eslint-disable-next-line no-new-func
  new Function('require', 'module', 'exports', 'Page', 'Component', source)(localRequire, mod, mod.exports, capture, capture)
  const names = new Set(Object.keys(captured || {}).filter((k) => typeof captured[k] === 'function'))
  for (const k of Object.keys((captured && captured.methods) || {})) names.add(k)
  return names
}

test('every event a WXML file binds names a handler its page or component defines', () => {
  const files = walk(SRC, '.wxml').filter(ours)
  expect(files.length).toBeGreaterThan(15)
  for (const wxml of files) {
    const handlers = handlersOf(wxml.replace(/\.wxml$/, '.js'))
    const source = fs.readFileSync(wxml, 'utf8')
    for (const m of source.matchAll(/\b(?:bind|catch|capture-bind|capture-catch):?([a-z]+)="([^"]+)"/g)) {
      if (!handlers.has(m[2])) throw new Error(`${path.relative(SRC, wxml)}: ${m[0]} — no such handler`)
    }
  }
})
