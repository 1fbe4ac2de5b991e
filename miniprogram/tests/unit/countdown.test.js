// The QR countdown and the card page's refresh every refresh_in_seconds.
const { answer, state, calls } = require('../support/fake-wx')
const { renderPage, flush, text } = require('../support/render-page')
const { startCountdown } = require('../../src/utils/countdown')

const CARD = {
  card_no: 'WH2026A0001', level: 'A', status: 'active', valid_until: '2028-06-30',
  holder: { name: '张三', photo_url: '/api/v1/uploads/7?exp=1&sig=ab', id_number_masked: '3710**********0011' }, quotas: [],
}

afterEach(() => jest.useRealTimers())

test('startCountdown ticks every second down to 0, then calls onDone once', () => {
  jest.useFakeTimers()
  const ticks = []
  const done = jest.fn()
  startCountdown(3, (s) => ticks.push(s), done)
  jest.advanceTimersByTime(5000)
  expect(ticks).toEqual([3, 2, 1, 0])
  expect(done).toHaveBeenCalledTimes(1)
})

test('stop() ends the countdown', () => {
  jest.useFakeTimers()
  const ticks = []
  const stop = startCountdown(5, (s) => ticks.push(s), jest.fn())
  jest.advanceTimersByTime(1000)
  stop()
  jest.advanceTimersByTime(5000)
  expect(ticks).toEqual([5, 4])
})

test('the card page shows the countdown and fetches a new code after refresh_in_seconds', async () => {
  jest.useFakeTimers()
  state.storage.set('yck.token', 't')
  answer('GET /api/v1/me/card', 200, CARD)
  answer('POST /api/v1/me/card/qr', 200, { token: 'first-token', refresh_in_seconds: 10 }, { times: 1 })
  answer('POST /api/v1/me/card/qr', 200, { token: 'second-token', refresh_in_seconds: 10 }, { times: 1 })
  const page = await renderPage('pages/card/card')
  expect(page.instance.data.qrToken).toBe('first-token')
  expect(text(page)).toContain('动态码 10 秒后自动刷新')
  expect(calls('setKeepScreenOn').pop()).toEqual({ keepScreenOn: true })
  jest.advanceTimersByTime(4000)
  await flush()
  expect(text(page)).toContain('动态码 6 秒后自动刷新')
  jest.advanceTimersByTime(6000)
  await flush()
  expect(page.instance.data.qrToken).toBe('second-token')
  expect(text(page)).toContain('动态码 10 秒后自动刷新')
  page.instance.onHide()
  expect(calls('setKeepScreenOn').pop()).toEqual({ keepScreenOn: false })
  jest.advanceTimersByTime(30000)
  await flush()
  expect(state.requests.filter((r) => r.url.endsWith('/me/card/qr'))).toHaveLength(2) // no refresh once hidden
})

test('a code refused because the card was disabled meanwhile shows why, and no code', async () => {
  state.storage.set('yck.token', 't')
  answer('GET /api/v1/me/card', 200, CARD, { times: 1 })
  answer('POST /api/v1/me/card/qr', 403, { error: { code: 'CARD_DISABLED', message: '英才卡已停用' } })
  answer('GET /api/v1/me/card', 200, { ...CARD, status: 'disabled', status_reason: '持卡人离职' })
  const page = await renderPage('pages/card/card')
  expect(text(page)).toContain('英才卡已停用')
  expect(text(page)).toContain('停用原因：持卡人离职')
  expect(page.dom.querySelector('.qr-code--qr-row')).toBeNull()
})

test('a card.* event on the live connection reloads the card: disabled → the code disappears', async () => {
  state.storage.set('yck.token', 'tok')
  answer('GET /api/v1/me/card', 200, CARD, { times: 1 })
  answer('POST /api/v1/me/card/qr', 200, { token: 'first-token', refresh_in_seconds: 30 })
  answer('GET /api/v1/me/card', 200, { ...CARD, status: 'disabled', status_reason: '持卡人离职' })
  const page = await renderPage('pages/card/card')
  expect(state.sockets).toHaveLength(1)
  expect(state.sockets[0].url).toBe('wss://yck.example.gov.cn/api/v1/ws?token=tok')
  state.sockets[0].receive({ type: 'appointment.updated', data: {} })
  await flush()
  expect(page.instance.data.card.status).toBe('active')
  state.sockets[0].receive({ type: 'card.status_changed', data: { status: 'disabled' } })
  await flush()
  expect(text(page)).toContain('英才卡已停用')
  expect(page.dom.querySelector('.qr-code--qr-row')).toBeNull()
  page.instance.onUnload()
  expect(state.sockets[0].closed).toBe(true)
})

test('副卡: a dependent card’s code is issued with its card_no, and the main card’s again after', async () => {
  state.storage.set('yck.token', 'tok')
  const dependents = [{ card_no: 'WH2026A0001-1', name_masked: '张*', relation: 'child', relation_name: '子女', level: 'A', status: 'active', valid_until: '2028-06-30' }]
  answer('GET /api/v1/me/card', 200, { ...CARD, dependents })
  answer('POST /api/v1/me/card/qr', (opts) => ({ status: 200, body: { token: opts.data.card_no ? 'dep-token' : 'main-token', refresh_in_seconds: 30 } }))
  const page = await renderPage('pages/card/card')
  expect(text(page)).toContain('张*（子女）')
  expect(page.instance.data.qrToken).toBe('main-token')
  await page.instance.showCard({ currentTarget: { dataset: { cardNo: 'WH2026A0001-1' } } })
  expect(page.instance.data.qrToken).toBe('dep-token')
  expect(text(page)).toContain('副卡 张*（子女） 的二维码')
  await page.instance.showCard({ currentTarget: { dataset: {} } })
  expect(page.instance.data.qrToken).toBe('main-token')
  const bodies = state.requests.filter((r) => r.url.endsWith('/me/card/qr')).map((r) => r.data)
  expect(bodies).toEqual([{}, { card_no: 'WH2026A0001-1' }, {}])
  page.instance.onUnload()
})
