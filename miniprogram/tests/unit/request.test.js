// The request wrapper: token, the contract's Chinese message on every error, one re-login on 401.
const fakeWx = require('../support/fake-wx')
const { answer, apiError, state, toasts, calls } = fakeWx
const http = require('../../src/utils/request')

const ME = { id: '1', name: '张三', roles: ['holder'], phone_masked: '138****0001' }

function holderSession(token = 'old-token') {
  state.storage.set('yck.token', token)
  state.storage.set('yck.kind', 'wechat')
}

test('adds the token and returns the body', async () => {
  holderSession()
  answer('GET /api/v1/me', 200, ME)
  await expect(http.get('/me')).resolves.toEqual(ME)
  expect(state.requests[0].header.Authorization).toBe('Bearer old-token')
})

test('an error answer shows its Chinese message and rejects with the code', async () => {
  holderSession()
  answer('POST /api/v1/appointments', 403, apiError(403, 'CARD_DISABLED', '您的英才卡已停用，暂停绿色通道服务'))
  await expect(http.post('/appointments', {})).rejects.toMatchObject({ status: 403, code: 'CARD_DISABLED' })
  expect(toasts()).toEqual(['您的英才卡已停用，暂停绿色通道服务'])
})

test('a code the caller handles itself shows no toast', async () => {
  holderSession()
  answer('GET /api/v1/me/card', 404, apiError(404, 'NO_CARD', '您还没有英才卡'))
  await expect(http.get('/me/card', undefined, { quiet: ['NO_CARD'] })).rejects.toMatchObject({ code: 'NO_CARD' })
  expect(toasts()).toEqual([])
})

test('a 500 without an error body still says something a person understands', async () => {
  holderSession()
  answer('GET /api/v1/me', 502, 'Bad Gateway')
  await expect(http.get('/me')).rejects.toMatchObject({ code: 'SERVER_ERROR' })
  expect(toasts()).toEqual(['服务器开小差了，请稍后再试'])
})

test('a network failure (no answer) is NETWORK_ERROR with its message', async () => {
  holderSession()
  answer('GET /api/v1/me', 'network-error')
  await expect(http.get('/me')).rejects.toMatchObject({ status: 0, code: 'NETWORK_ERROR' })
  expect(toasts()).toEqual(['网络连接失败，请检查网络后重试'])
})

test('a 401 logs in again once with wx.login and retries with the new token', async () => {
  holderSession()
  state.loginCodes.push('code-1')
  answer('GET /api/v1/me', 401, apiError(401, 'UNAUTHORIZED', '登录已失效，请重新登录'), { times: 1 })
  answer('POST /api/v1/auth/wechat/mp-login', (opts) => {
    expect(opts.data).toEqual({ code: 'code-1' })
    expect(opts.header.Authorization).toBeUndefined()
    return { status: 200, body: { token: 'new-token', expires_at: '2026-12-01T00:00:00+08:00', user: ME } }
  })
  answer('GET /api/v1/me', (opts) => {
    expect(opts.header.Authorization).toBe('Bearer new-token')
    return { status: 200, body: ME }
  })
  await expect(http.get('/me')).resolves.toEqual(ME)
  expect(state.storage.get('yck.token')).toBe('new-token')
  expect(calls('login')).toHaveLength(1)
  expect(toasts()).toEqual([])
})

test('concurrent 401s share one login', async () => {
  holderSession()
  state.loginCodes.push('code-1', 'code-2')
  let logins = 0
  answer('GET /api/v1/me', 401, apiError(401, 'UNAUTHORIZED', '登录已失效'), { times: 3 })
  answer('GET /api/v1/me/card', 401, apiError(401, 'UNAUTHORIZED', '登录已失效'), { times: 1 })
  answer('POST /api/v1/auth/wechat/mp-login', () => {
    logins += 1
    return { status: 200, body: { token: 'new-token', user: ME } }
  })
  answer('GET /api/v1/me', (opts) => ({ status: opts.header.Authorization === 'Bearer new-token' ? 200 : 401, body: ME }))
  answer('GET /api/v1/me/card', (opts) => ({ status: opts.header.Authorization === 'Bearer new-token' ? 200 : 401, body: { card_no: 'X' } }))
  const out = await Promise.all([http.get('/me'), http.get('/me'), http.get('/me'), http.get('/me/card')])
  expect(out[3]).toEqual({ card_no: 'X' })
  expect(logins).toBe(1)
  expect(calls('login')).toHaveLength(1)
})

test('a second 401 after the re-login is not retried again', async () => {
  holderSession()
  state.loginCodes.push('code-1')
  answer('GET /api/v1/me', 401, apiError(401, 'UNAUTHORIZED', '登录已失效，请重新登录'), { times: 2 })
  answer('POST /api/v1/auth/wechat/mp-login', 200, { token: 'new-token', user: ME })
  await expect(http.get('/me')).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
  expect(state.requests.filter((r) => r.url.endsWith('/api/v1/me'))).toHaveLength(2)
  expect(toasts()).toEqual(['登录已失效，请重新登录'])
})

test('an unbound openid goes to the login page instead of retrying', async () => {
  holderSession()
  state.loginCodes.push('code-1')
  answer('GET /api/v1/me', 401, apiError(401, 'UNAUTHORIZED', '登录已失效'), { times: 1 })
  answer('POST /api/v1/auth/wechat/mp-login', 200, { bind_required: true, bind_ticket: 'ticket-1' })
  await expect(http.get('/me')).rejects.toMatchObject({ code: 'BIND_REQUIRED' })
  expect(calls('reLaunch')).toEqual([{ url: '/pages/login/login' }])
  expect(state.storage.get('yck.bindTicket')).toBe('ticket-1')
  expect(state.storage.has('yck.token')).toBe(false)
})

test('a clerk’s 401 sends them to the password login, no wx.login', async () => {
  state.storage.set('yck.token', 'staff-token')
  state.storage.set('yck.kind', 'password')
  answer('GET /api/v1/staff/appointments', 401, apiError(401, 'UNAUTHORIZED', '登录已失效，请重新登录'))
  await expect(http.get('/staff/appointments')).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
  expect(calls('login')).toHaveLength(0)
  expect(calls('reLaunch')).toEqual([{ url: '/staff/pages/login/login' }])
})

test('a request no test answered fails the test (the harness is closed)', async () => {
  holderSession()
  await expect(http.get('/me', undefined, { quiet: true })).rejects.toMatchObject({ code: 'NETWORK_ERROR' })
  expect(state.unanswered.splice(0)).toEqual(['GET https://yck.example.gov.cn/api/v1/me'])
})
