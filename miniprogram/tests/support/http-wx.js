// wx.request over real HTTP (node's http module), with wx.request's rules: `success` for every
// HTTP status, `fail` only when no answer came; a JSON body is parsed as WeChat does. Every
// exchange is kept so a journey can read what the server answered.
const http = require('http')
const { Buffer } = require('buffer')

const exchanges = []

function request(opts) {
  const url = new URL(opts.url)
  const method = (opts.method || 'GET').toUpperCase()
  const body = opts.data === undefined || method === 'GET' ? undefined : typeof opts.data === 'string' ? opts.data : JSON.stringify(opts.data)
  const headers = { ...(opts.header || {}) }
  if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body)
  const req = http.request(
    { hostname: url.hostname, port: url.port, path: url.pathname + url.search, method, headers },
    (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let data = text
        if ((res.headers['content-type'] || '').includes('json') && text) {
          try {
            data = JSON.parse(text)
          } catch (e) {
            data = text
          }
        }
        exchanges.push({ method, path: url.pathname + url.search, status: res.statusCode, body: data })
        const out = { statusCode: res.statusCode, data, header: res.headers, errMsg: 'request:ok' }
        if (opts.success) opts.success(out)
        if (opts.complete) opts.complete(out)
      })
    },
  )
  req.setTimeout(opts.timeout || 15000, () => req.destroy(new Error('timeout')))
  req.on('error', (e) => {
    const err = { errMsg: `request:fail ${e.message}` }
    if (opts.fail) opts.fail(err)
    if (opts.complete) opts.complete(err)
  })
  if (body !== undefined) req.write(body)
  req.end()
  return { abort: () => req.destroy() }
}

/** wx.connectSocket over a real WebSocket (jsdom's), as a SocketTask. */
function connectSocket(opts) {
  const ws = new WebSocket(opts.url)
  const task = {
    onMessage: (fn) => ws.addEventListener('message', (e) => fn({ data: e.data })),
    onClose: (fn) => ws.addEventListener('close', (e) => fn({ code: e.code, reason: e.reason })),
    onOpen: (fn) => ws.addEventListener('open', () => fn({})),
    onError: (fn) => ws.addEventListener('error', () => fn({ errMsg: 'socket error' })),
    send: (o) => ws.send(o.data),
    close: () => ws.close(),
    ws,
  }
  sockets.push(task)
  return task
}
const sockets = []

/** A plain JSON call for the test's own set-up (admin actions …), not through the mini-program. */
function call(base, method, path, { json, token } = {}) {
  return new Promise((resolve, reject) => {
    const header = { Accept: 'application/json' }
    if (json !== undefined) header['Content-Type'] = 'application/json'
    if (token) header.Authorization = `Bearer ${token}`
    request({
      url: `${base}${path}`,
      method,
      data: json,
      header,
      success: (res) => resolve({ status: res.statusCode, body: res.data }),
      fail: (err) => reject(new Error(err.errMsg)),
    })
  })
}

module.exports = { request, connectSocket, sockets, call, exchanges }
