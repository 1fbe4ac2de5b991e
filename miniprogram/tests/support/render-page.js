// Load a page (once per test file: jest keeps its own module cache, so a page's Page() call runs
// only on the first require) and render it as the WeChat runtime would: attach, onLoad(query), onShow.
const path = require('path')

const SRC = path.resolve(__dirname, '..', '..', 'src')
const ids = {}

function loadPage(pagePath) {
  if (!ids[pagePath]) ids[pagePath] = global.simulate.load(path.join(SRC, pagePath), { rootPath: SRC })
  return ids[pagePath]
}

/** Let the answered requests and the awaits after them run (microtasks only: works with fake timers). */
async function flush(times = 60) {
  for (let i = 0; i < times; i++) await Promise.resolve()
}

async function renderPage(pagePath, query = {}) {
  const comp = global.simulate.render(loadPage(pagePath))
  comp.attach(document.createElement('parent-wrapper'))
  const page = comp.instance
  if (page.onLoad) await page.onLoad(query)
  if (page.onShow) await page.onShow()
  await flush()
  return comp
}

/** The text a person reads on the page (whitespace collapsed). */
function text(comp) {
  return comp.dom.textContent.replace(/\s+/g, ' ').trim()
}

module.exports = { SRC, loadPage, renderPage, flush, text }
