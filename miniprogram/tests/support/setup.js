// Runs before each test file: miniprogram-simulate (which defines Component and a mock `wx`),
// a Page shim, and a `wx` whose native parts record what the code asked for. Its network is
// closed: a request no test answered fails the test (see after-env.js), unlike simulate's
// default wx.request that quietly answers {} after 100 ms.
const fs = require('fs')
const path = require('path')
const simulate = require('miniprogram-simulate')
const fakeWx = require('./fake-wx')

global.simulate = simulate

// simulate runs a component's JS with require() and then deletes it from require.cache so that
// the next load runs Component() again. Jest's registry ignores require.cache, so the second page
// that uses a Vant component would get it without a template. Each component file is therefore
// evaluated afresh here, while what it requires (utils, api, config) stays shared as in WeChat.
const simulateUtils = require('miniprogram-simulate/src/utils')
simulateUtils.runJs = (filePath) => {
  const file = filePath.endsWith('.js') ? filePath : `${filePath}.js`
  const source = fs.readFileSync(file, 'utf8')
  const mod = { exports: {} }
  const localRequire = (rel) => require(rel.startsWith('.') ? path.resolve(path.dirname(file), rel) : rel)
  // eslint-disable-next-line no-new-func
  new Function('require', 'module', 'exports', '__filename', '__dirname', `${source}\n//# sourceURL=${file}`)(
    localRequire, mod, mod.exports, file, path.dirname(file),
  )
}
fakeWx.install()

// WeChat's components have groupSetData (Vant's tabs use it); j-component's do not: the same
// effect, one render, is what calling the callback at once gives here.
const groupSetData = global.Behavior({ methods: { groupSetData(cb) { cb() } } })
const simulateComponent = global.Component
global.Component = (options) => simulateComponent({ ...options, behaviors: [...(options.behaviors || []), groupSetData] })

/**
 * WeChat's Page() takes handlers at the top level; simulate only knows Component(). A page is
 * loaded as a component whose methods are its functions (onLoad, onShow … included), and
 * render-page.js calls the lifecycle the way the WeChat runtime does.
 */
global.Page = (options) => {
  const data = options.data || {}
  const methods = {}
  const extra = {}
  for (const [key, value] of Object.entries(options)) {
    if (key === 'data') continue
    if (typeof value === 'function') methods[key] = value
    else extra[key] = value
  }
  return global.Component({ data, methods, ...extra })
}
global.App = (options) => {
  global.__app = options
}
global.getApp = () => global.__app || {}
global.getCurrentPages = () => []
