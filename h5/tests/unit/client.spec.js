import { describe, expect, it, vi } from 'vitest'
import { ApiError, MESSAGES, createClient } from '../../src/api/client'

function memoryStorage(initial = {}) {
  const data = { ...initial }
  return {
    getItem: (k) => (k in data ? data[k] : null),
    setItem: (k, v) => {
      data[k] = String(v)
    },
    removeItem: (k) => {
      delete data[k]
    },
    data,
  }
}

function jsonResponse(status, body) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

describe('api client', () => {
  it('sends the kept token as a Bearer header and JSON bodies', async () => {
    const fetch = vi.fn(async () => jsonResponse(200, { ok: true }))
    const api = createClient({ baseURL: '/api/v1', fetch, storage: memoryStorage({ 'yck.token': 'tok-1' }) })
    const out = await api.post('/appointments', { service_id: '4' })
    expect(out).toEqual({ ok: true })
    const [url, init] = fetch.mock.calls[0]
    expect(url).toBe('/api/v1/appointments')
    expect(init.method).toBe('POST')
    expect(init.headers.Authorization).toBe('Bearer tok-1')
    expect(init.headers['Content-Type']).toBe('application/json')
    expect(JSON.parse(init.body)).toEqual({ service_id: '4' })
  })

  it('leaves the token off public calls and empty query values out of the URL', async () => {
    const fetch = vi.fn(async () => jsonResponse(200, { items: [] }))
    const api = createClient({ baseURL: '/api/v1', fetch, storage: memoryStorage({ 'yck.token': 'tok-1' }) })
    await api.get('/services', { category: 'onsite', q: '', cursor: null, limit: 20 }, { auth: false })
    const [url, init] = fetch.mock.calls[0]
    expect(url).toBe('/api/v1/services?category=onsite&limit=20')
    expect(init.headers.Authorization).toBeUndefined()
  })

  it('keeps a new token in storage and forgets it', () => {
    const storage = memoryStorage()
    const api = createClient({ fetch: vi.fn(), storage })
    api.setToken('abc')
    expect(storage.data['yck.token']).toBe('abc')
    expect(api.getToken()).toBe('abc')
    api.setToken('')
    expect(storage.data['yck.token']).toBeUndefined()
  })

  it("maps an error body to ApiError with the contract's code, Chinese message and details", async () => {
    const body = { error: { code: 'SMS_RATE_LIMITED', message: '发送过于频繁，请60秒后再试', details: { retry_after_seconds: 42 } } }
    const api = createClient({ fetch: async () => jsonResponse(429, body), storage: memoryStorage() })
    const err = await api.post('/auth/sms/send', {}).catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(429)
    expect(err.code).toBe('SMS_RATE_LIMITED')
    expect(err.message).toBe('发送过于频繁，请60秒后再试')
    expect(err.details.retry_after_seconds).toBe(42)
  })

  it('turns a network failure and a bodiless 5xx into Chinese messages', async () => {
    const down = createClient({ fetch: async () => Promise.reject(new TypeError('Failed to fetch')), storage: memoryStorage() })
    const e1 = await down.get('/me').catch((e) => e)
    expect(e1.code).toBe('NETWORK_ERROR')
    expect(e1.message).toBe(MESSAGES.NETWORK_ERROR)

    const broken = createClient({ fetch: async () => new Response('<html>bad gateway</html>', { status: 502 }), storage: memoryStorage() })
    const e2 = await broken.get('/me').catch((e) => e)
    expect(e2.status).toBe(502)
    expect(e2.message).toBe(MESSAGES.SERVER_ERROR)
  })

  it('on a 401 forgets the token and calls the 401 handler once', async () => {
    const storage = memoryStorage({ 'yck.token': 'old' })
    const body = { error: { code: 'UNAUTHORIZED', message: '请先登录', details: {} } }
    const api = createClient({ fetch: async () => jsonResponse(401, body), storage })
    const handler = vi.fn()
    api.onUnauthorized(handler)
    const err = await api.get('/me').catch((e) => e)
    expect(err.code).toBe('UNAUTHORIZED')
    expect(handler).toHaveBeenCalledTimes(1)
    expect(handler.mock.calls[0][0]).toBe(err)
    expect(api.getToken()).toBe('')
    expect(storage.data['yck.token']).toBeUndefined()
  })

  it('does not call the 401 handler for a failed login (no session to lose)', async () => {
    const body = { error: { code: 'BAD_CREDENTIALS', message: '账号或密码错误', details: {} } }
    const api = createClient({ fetch: async () => jsonResponse(401, body), storage: memoryStorage() })
    const handler = vi.fn()
    api.onUnauthorized(handler)
    const err = await api.post('/auth/password/login', {}, { auth: false }).catch((e) => e)
    expect(err.message).toBe('账号或密码错误')
    expect(handler).not.toHaveBeenCalled()
  })

  it('answers 204 with null and binary answers as a Blob', async () => {
    const responses = [new Response(null, { status: 204 }), new Response(new Uint8Array([1, 2, 3]), { status: 200 })]
    const fetch = vi.fn(async () => responses.shift())
    const api = createClient({ fetch, storage: memoryStorage({ 'yck.token': 't' }) })
    expect(await api.post('/auth/logout')).toBeNull()
    const blob = await api.blob('/admin/cards/export.xlsx', { status: 'disabled' })
    expect(blob.size).toBe(3)
    expect(fetch.mock.calls[1][0]).toBe('/admin/cards/export.xlsx?status=disabled')
    expect(fetch.mock.calls[1][1].headers.Authorization).toBe('Bearer t')
  })

  it('sends uploads as multipart without forcing a content type', async () => {
    const fetch = vi.fn(async () => jsonResponse(201, { file_id: '9', url: '/api/v1/uploads/9' }))
    const api = createClient({ fetch, storage: memoryStorage({ 'yck.token': 't' }) })
    const form = new FormData()
    form.append('kind', 'photo')
    await api.upload('/uploads', form)
    const init = fetch.mock.calls[0][1]
    expect(init.body).toBe(form)
    expect(init.headers['Content-Type']).toBeUndefined()
  })
})
