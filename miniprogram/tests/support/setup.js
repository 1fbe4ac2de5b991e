// Runs before each test file: miniprogram-simulate (which defines Component and a mock `wx`),
// a Page shim, and a `wx` whose native parts record what the code asked for. Its network is
// closed: a request no test answered fails the test (see after-env.js), unlike simulate's
// default wx.request that quietly answers {} after 100 ms.
const simulate = require('miniprogram-simulate')
const fakeWx = require('./fake-wx')

global.simulate = simulate
fakeWx.install()

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
