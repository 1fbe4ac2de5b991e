// The native side of `wx` for tests: in-memory storage, recorded navigation and toasts, queued
// answers for wx.login / wx.scanCode / wx.requestSubscribeMessage, and a request router that a
// test fills (`answer('GET /api/v1/me/card', 200, {...})`). Unanswered requests are collected and
// fail the test; a journey test replaces `request` with real HTTP (http-wx.js).
const state = {
  storage: new Map(),
  calls: [],
  routes: [],
  requests: [],
  unanswered: [],
  loginCodes: [],
  scanResults: [],
  subscribeAnswer: null,
  modalConfirm: true,
  sockets: [],
}

/** A SocketTask a test drives: socket.receive(obj) delivers a message, socket.drop(code) closes it. */
function fakeSocket(opts) {
  const handlers = { message: [], close: [] }
  const socket = {
    url: opts.url,
    closed: false,
    onMessage: (fn) => handlers.message.push(fn),
    onClose: (fn) => handlers.close.push(fn),
    onOpen: () => {},
    onError: () => {},
    send: () => {},
    close: () => {
      socket.closed = true
    },
    receive: (obj) => handlers.message.forEach((fn) => fn({ data: JSON.stringify(obj) })),
    drop: (code = 1006) => {
      socket.closed = true
      handlers.close.forEach((fn) => fn({ code, reason: '' }))
    },
  }
  state.sockets.push(socket)
  return socket
}

function record(name, args) {
  state.calls.push({ name, args })
}

function later(fn) {
  // a microtask, never a timer, so that tests with fake timers still get answers
  Promise.resolve().then(fn)
}

function asyncApi(name, answer) {
  return (opts = {}) => {
    record(name, opts)
    const res = typeof answer === 'function' ? answer(opts) : { errMsg: `${name}:ok` }
    // as in WeChat: a promise only when no callback was given
    const withCallbacks = Boolean(opts.success || opts.fail || opts.complete)
    const promise = new Promise((resolve, reject) => {
      later(() => {
        if (res && res.__fail) {
          if (opts.fail) opts.fail(res.err)
          if (opts.complete) opts.complete(res.err)
          reject(res.err)
          return
        }
        if (opts.success) opts.success(res)
        if (opts.complete) opts.complete(res)
        resolve(res)
      })
    })
    if (withCallbacks) {
      promise.catch(() => {})
      return undefined
    }
    return promise
  }
}

const fail = (errMsg) => ({ __fail: true, err: { errMsg } })

function matchRoute(method, url) {
  const path = url.replace(/^https?:\/\/[^/]+/, '')
  const bare = path.split('?')[0]
  for (let i = 0; i < state.routes.length; i++) {
    const r = state.routes[i]
    if (r.method !== method) continue
    if (typeof r.path === 'string' ? r.path === bare || r.path === path : r.path.test(path)) {
      if (r.times !== undefined) {
        r.times -= 1
        if (r.times <= 0) state.routes.splice(i, 1)
      }
      return r
    }
  }
  return null
}

function fakeRequest(opts) {
  const method = (opts.method || 'GET').toUpperCase()
  state.requests.push({ method, url: opts.url, data: opts.data, header: opts.header || {} })
  const route = matchRoute(method, opts.url)
  const task = { abort() {} }
  later(() => {
    if (!route) {
      state.unanswered.push(`${method} ${opts.url}`)
      const err = { errMsg: 'request:fail no answer in this test' }
      if (opts.fail) opts.fail(err)
      if (opts.complete) opts.complete(err)
      return
    }
    const out = typeof route.reply === 'function' ? route.reply(opts) : route.reply
    if (out === 'network-error') {
      const err = { errMsg: 'request:fail timeout' }
      if (opts.fail) opts.fail(err)
      if (opts.complete) opts.complete(err)
      return
    }
    const res = { statusCode: out.status, data: out.body === undefined ? '' : out.body, header: {}, errMsg: 'request:ok' }
    if (opts.success) opts.success(res)
    if (opts.complete) opts.complete(res)
  })
  return task
}

const overrides = {
  request: fakeRequest,
  getStorageSync: (key) => (state.storage.has(key) ? state.storage.get(key) : ''),
  setStorageSync: (key, value) => {
    state.storage.set(key, value)
  },
  removeStorageSync: (key) => {
    state.storage.delete(key)
  },
  clearStorageSync: () => state.storage.clear(),
  login: asyncApi('login', () => (state.loginCodes.length ? { code: state.loginCodes.shift(), errMsg: 'login:ok' } : fail('login:fail no code'))),
  scanCode: asyncApi('scanCode', () =>
    state.scanResults.length ? { result: state.scanResults.shift(), scanType: 'QR_CODE', errMsg: 'scanCode:ok' } : fail('scanCode:fail cancel'),
  ),
  requestSubscribeMessage: asyncApi('requestSubscribeMessage', (opts) => {
    const out = { errMsg: 'requestSubscribeMessage:ok' }
    for (const id of opts.tmplIds || []) out[id] = state.subscribeAnswer || 'accept'
    return out
  }),
  connectSocket: (opts) => fakeSocket(opts),
  showModal: asyncApi('showModal', () => ({ confirm: state.modalConfirm, cancel: !state.modalConfirm, errMsg: 'showModal:ok' })),
  showActionSheet: asyncApi('showActionSheet', () => ({ tapIndex: 0, errMsg: 'showActionSheet:ok' })),
}
for (const name of [
  'showToast', 'hideToast', 'showLoading', 'hideLoading', 'navigateTo', 'redirectTo', 'switchTab', 'reLaunch',
  'navigateBack', 'setKeepScreenOn', 'makePhoneCall', 'setClipboardData', 'stopPullDownRefresh', 'setNavigationBarTitle',
  'previewImage', 'vibrateShort',
]) {
  overrides[name] = asyncApi(name)
}

function install() {
  Object.assign(global.wx, overrides)
}

function reset() {
  state.storage.clear()
  state.calls.length = 0
  state.routes.length = 0
  state.requests.length = 0
  state.unanswered.length = 0
  state.loginCodes.length = 0
  state.scanResults.length = 0
  state.subscribeAnswer = null
  state.modalConfirm = true
  state.sockets.length = 0
  install()
}

/** answer('GET /api/v1/me', 200, body, { times }) — or a function (opts) => ({status, body}). */
function answer(route, status, body, { times } = {}) {
  const [method, path] = route.split(' ')
  const reply = typeof status === 'function' ? status : status === 'network-error' ? 'network-error' : { status, body }
  state.routes.push({ method, path, reply, times })
}

const apiError = (status, code, message, details) => ({ error: { code, message, details: details || {} } })

const calls = (name) => state.calls.filter((c) => c.name === name).map((c) => c.args)
const toasts = () => calls('showToast').map((a) => a.title)

module.exports = { state, install, reset, answer, apiError, calls, toasts, fakeRequest }
