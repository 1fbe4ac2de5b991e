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

/** The component (or element) with this id on the page, or an error that says which is missing. */
function byId(comp, id) {
  const host = comp.querySelector(`#${id}`)
  if (!host) throw new Error(`no element #${id} on the page`)
  return host
}

/**
 * A person's tap (or another event, e.g. getphonenumber) on the element with this id — through
 * the Vant button's own template and handler when it is one, so the WXML binding is exercised.
 */
function press(comp, id, eventName = 'tap', detail = {}) {
  const host = byId(comp, id)
  const target = host.querySelector('.van-button') || host.querySelector('.van-cell') || host
  target.dispatchEvent(eventName, { detail })
}

/** Tapping the n-th star (1-based) of a van-rate with this id. */
function pressStar(comp, id, n) {
  const star = byId(comp, id).querySelectorAll('.van-rate__icon')[n - 1]
  if (!star) throw new Error(`#${id} has no star ${n}`)
  star.querySelector('.van-icon').dispatchEvent('tap')
}

/**
 * Typing into a van-field with this id: the native <input>/<textarea>'s `input` event, as the
 * keyboard sends it, through Vant's field to the page's bind:change. Events are delivered in a
 * microtask (as j-component does): flush() before reading the result.
 */
function type(comp, id, value) {
  // the field also has a .van-field__control view for slots: take the native one
  const control = byId(comp, id)
    .querySelectorAll('.van-field__control')
    .find((c) => /^WX-(INPUT|TEXTAREA)$/.test(c.dom.tagName))
  if (!control) throw new Error(`#${id} has no input`)
  control.dispatchEvent('input', { detail: { value, cursor: value.length } })
}

module.exports = { SRC, loadPage, renderPage, flush, text, press, pressStar, type, byId }
