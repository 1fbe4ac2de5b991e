// The one HTTP client of the H5. It knows the API base, the session token and what to do on a
// 401 (a handler the app installs), but nothing about the router or the pages.

export const MESSAGES = {
  NETWORK_ERROR: '网络连接失败，请检查网络后重试',
  SERVER_ERROR: '服务器开小差了，请稍后再试',
  UNAUTHORIZED: '登录已失效，请重新登录',
  BAD_RESPONSE: '服务器返回的数据无法识别，请稍后再试',
}

/** An error answer of the API, with the contract's code and its Chinese message. */
export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details || {}
  }
}

function buildQuery(query) {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    params.append(key, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

async function errorFrom(response) {
  let body = null
  try {
    body = await response.json()
  } catch {
    body = null
  }
  const err = body && body.error
  if (err && err.code) {
    return new ApiError(response.status, err.code, err.message || MESSAGES.SERVER_ERROR, err.details)
  }
  if (response.status === 401) return new ApiError(401, 'UNAUTHORIZED', MESSAGES.UNAUTHORIZED)
  return new ApiError(response.status, response.status >= 500 ? 'SERVER_ERROR' : 'HTTP_ERROR', MESSAGES.SERVER_ERROR)
}

/**
 * createClient({ baseURL, fetch, storage }) → a client with request(), get(), post(), put(), del(),
 * upload() and blob(); setToken() / getToken() and onUnauthorized(handler).
 */
export function createClient({ baseURL = '', fetch: fetchImpl, tokenKey = 'yck.token', storage } = {}) {
  const doFetch = fetchImpl || ((...args) => globalThis.fetch(...args))
  const store = storage === undefined ? globalThis.localStorage : storage
  let token = (store && store.getItem(tokenKey)) || ''
  let unauthorizedHandler = null

  function setToken(value) {
    token = value || ''
    if (!store) return
    if (token) store.setItem(tokenKey, token)
    else store.removeItem(tokenKey)
  }

  async function send(method, path, { query, json, form, headers = {}, auth = true } = {}) {
    const url = `${baseURL}${path}${buildQuery(query)}`
    const init = { method, headers: { Accept: 'application/json', ...headers } }
    if (auth && token) init.headers.Authorization = `Bearer ${token}`
    if (json !== undefined) {
      init.headers['Content-Type'] = 'application/json'
      init.body = JSON.stringify(json)
    } else if (form !== undefined) {
      init.body = form // multipart: the browser sets the boundary
    }
    let response
    try {
      response = await doFetch(url, init)
    } catch {
      throw new ApiError(0, 'NETWORK_ERROR', MESSAGES.NETWORK_ERROR)
    }
    if (!response.ok) {
      const error = await errorFrom(response)
      if (response.status === 401 && auth && token) {
        setToken('')
        if (unauthorizedHandler) unauthorizedHandler(error)
      }
      throw error
    }
    return response
  }

  async function request(method, path, options = {}) {
    const response = await send(method, path, options)
    if (response.status === 204) return null
    const text = await response.text()
    if (!text) return null
    try {
      return JSON.parse(text)
    } catch {
      throw new ApiError(response.status, 'BAD_RESPONSE', MESSAGES.BAD_RESPONSE)
    }
  }

  return {
    request,
    get: (path, query, options = {}) => request('GET', path, { ...options, query }),
    post: (path, json, options = {}) => request('POST', path, { ...options, json: json === undefined ? {} : json }),
    put: (path, json, options = {}) => request('PUT', path, { ...options, json }),
    del: (path, options = {}) => request('DELETE', path, options),
    upload: (path, form, options = {}) => request('POST', path, { ...options, form }),
    /** A binary answer (an image, an .xlsx) as a Blob, fetched with the token. */
    async blob(path, query, options = {}) {
      const response = await send('GET', path, { ...options, query, headers: { Accept: '*/*' } })
      return response.blob()
    },
    setToken,
    getToken: () => token,
    onUnauthorized(handler) {
      unauthorizedHandler = handler
    },
    url: (path, query) => `${baseURL}${path}${buildQuery(query)}`,
  }
}

export const client = createClient({ baseURL: import.meta.env.VITE_API_BASE || '/api/v1' })

/** The API's own paths (photo_url `/api/v1/uploads/1`) relative to the client's base. */
export function apiPath(url) {
  const base = import.meta.env.VITE_API_BASE || '/api/v1'
  return url && url.startsWith(base) ? url.slice(base.length) : url
}
