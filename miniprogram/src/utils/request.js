// The one HTTP wrapper: it adds the token, checks the status code AND the error body, shows the
// contract's Chinese message on every error (unless the caller handles that code itself), and on a
// 401 logs in again once — one shared login for all the requests that failed together — then retries.
const config = require('../config')
const session = require('./session')

const MESSAGES = {
  NETWORK_ERROR: '网络连接失败，请检查网络后重试',
  SERVER_ERROR: '服务器开小差了，请稍后再试',
  UNAUTHORIZED: '登录已失效，请重新登录',
}

class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details || {}
  }
}

function query(params) {
  if (!params) return ''
  const parts = []
  for (const key of Object.keys(params)) {
    const value = params[key]
    if (value === undefined || value === null || value === '') continue
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
  }
  return parts.length ? `?${parts.join('&')}` : ''
}

/** wx.request as a promise of {statusCode, data}; rejects only when no answer came. */
/**
 * @param {'GET' | 'POST' | 'PUT' | 'DELETE'} method
 * @param {string} path
 * @param {{data?: any, params?: object, auth?: boolean, header?: object}} options
 */
function send(method, path, options) {
  const { data, params, auth = true, header = {} } = options
  return new Promise((resolve, reject) => {
    /** @type {Record<string, string>} */
    const headers = { Accept: 'application/json', ...header }
    const token = session.token()
    if (auth && token) headers.Authorization = `Bearer ${token}`
    if (data !== undefined) headers['Content-Type'] = 'application/json'
    wx.request({
      url: `${config.apiBase}/api/v1${path}${query(params)}`,
      method,
      data,
      header: headers,
      timeout: 15000,
      success: (res) => resolve(res),
      fail: () => reject(new ApiError(0, 'NETWORK_ERROR', MESSAGES.NETWORK_ERROR)),
    })
  })
}

function errorOf(res) {
  const body = res.data
  const err = body && typeof body === 'object' ? body.error : null
  if (err && err.code) return new ApiError(res.statusCode, err.code, err.message || MESSAGES.SERVER_ERROR, err.details)
  if (res.statusCode === 401) return new ApiError(401, 'UNAUTHORIZED', MESSAGES.UNAUTHORIZED)
  return new ApiError(res.statusCode, res.statusCode >= 500 ? 'SERVER_ERROR' : 'HTTP_ERROR', MESSAGES.SERVER_ERROR)
}

let relogin = null

/** One login for every request that met a 401 at the same time. */
function reloginOnce() {
  if (!relogin) {
    // required here: auth.js calls request() itself
    const auth = require('./auth')
    relogin = auth.renewSession().finally(() => {
      relogin = null
    })
  }
  return relogin
}

function showError(err) {
  wx.showToast({ title: err.message || MESSAGES.SERVER_ERROR, icon: 'none', duration: 2500 })
}

/**
 * request(method, path, {data, params, auth, quiet}) → the answer's body.
 * `quiet`: error codes the caller shows its own way (no toast), or true for all.
 * @param {'GET' | 'POST' | 'PUT' | 'DELETE'} method
 * @param {string} path
 * @param {{data?: any, params?: object, auth?: boolean, header?: object, quiet?: string[] | boolean}} [options]
 */
async function request(method, path, options = {}) {
  const quiet = options.quiet || []
  const fail = (err) => {
    if (quiet !== true && !quiet.includes(err.code)) showError(err)
    throw err
  }
  let res
  try {
    res = await send(method, path, options)
    if (res.statusCode === 401 && options.auth !== false) {
      await reloginOnce()
      res = await send(method, path, options)
    }
  } catch (err) {
    return fail(err instanceof ApiError ? err : new ApiError(0, 'NETWORK_ERROR', MESSAGES.NETWORK_ERROR))
  }
  if (res.statusCode >= 200 && res.statusCode < 300) return res.data
  return fail(errorOf(res))
}

module.exports = {
  ApiError,
  MESSAGES,
  request,
  showError,
  get: (path, params, options = {}) => request('GET', path, { ...options, params }),
  post: (path, data, options = {}) => request('POST', path, { ...options, data: data === undefined ? {} : data }),
  put: (path, data, options = {}) => request('PUT', path, { ...options, data }),
  url: (path) => (/^https?:/.test(path || '') ? path : path ? `${config.apiBase}${path}` : ''),
}
