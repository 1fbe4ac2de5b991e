/**
 * The mini-program's pages against the real server (python -m server, demo data, fake WeChat on
 * loopback), wx.request doing real HTTP. The native parts a person does (camera, phone button)
 * are the only things scripted: wx.login / wx.scanCode answers and getPhoneNumber's code.
 */
const fakeWx = require('../support/fake-wx')
const httpWx = require('../support/http-wx')
const { renderPage, text, press, pressStar, type } = require('../support/render-page')
const { matrixFromDom, decodeMatrix } = require('../support/qr-dom')
const { startStack, sleep } = require('./stack')
const config = require('../../src/config')

jest.setTimeout(60000)

let stack
const tokens = {}

async function waitFor(check, what) {
  const deadline = Date.now() + 15000
  for (;;) {
    const value = check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(40)
  }
}

const api = (method, path, opts) => httpWx.call(stack.base, method, path, opts)

async function fakeCode(kind, body) {
  const r = await httpWx.call(stack.fakeBase, 'POST', `/__fake__/${kind}`, { json: body })
  expect(r.status).toBe(200)
}

async function smsToken(phone) {
  expect((await api('POST', '/api/v1/auth/sms/send', { json: { phone, purpose: 'login' } })).status).toBe(200)
  const sms = await api('GET', `/api/v1/dev/sms?phone=${phone}`)
  const code = sms.body.items.find((m) => m.params && m.params.code).params.code
  const r = await api('POST', '/api/v1/auth/sms/login', { json: { phone, code } })
  expect(r.status).toBe(200)
  return r.body.token
}

async function passwordToken(username) {
  const r = await api('POST', '/api/v1/auth/password/login', { json: { username, password: 'Demo@12345' } })
  expect(r.status).toBe(200)
  return r.body.token
}

function useSession(token, kind = 'wechat') {
  fakeWx.state.storage.set('yck.token', token)
  fakeWx.state.storage.set('yck.kind', kind)
}

beforeAll(async () => {
  stack = await startStack()
  config.apiBase = stack.base
}, 120000)

afterAll(async () => {
  if (stack) await stack.stop()
})

beforeEach(() => {
  global.wx.request = httpWx.request
  global.wx.connectSocket = httpWx.connectSocket
})

test('a new WeChat user binds by the phone button and sees 张三’s card with a QR of the issued token', async () => {
  await fakeCode('login-code', { code: 'js-first', openid: 'o_mp_new_user' })
  await fakeCode('login-code', { code: 'js-second', openid: 'o_mp_new_user' })
  await fakeCode('phone-code', { code: 'ph-zhang', phone: '13800000001' })
  fakeWx.state.loginCodes.push('js-first', 'js-second')

  // the card page finds no session, logs in with wx.login and is told to bind
  const card = await renderPage('pages/card/card')
  await waitFor(() => fakeWx.calls('reLaunch').length, 'the login page')
  expect(fakeWx.calls('reLaunch')[0].url).toBe('/pages/login/login')
  expect(fakeWx.state.storage.get('yck.bindTicket')).toBeTruthy()
  card.detach()

  const login = await renderPage('pages/login/login')
  expect(text(login)).toContain('微信手机号快捷登录')
  // WeChat's phone sheet answered "allow": the Vant button passes on the native event
  press(login, 'phone-button', 'getphonenumber', { code: 'ph-zhang', errMsg: 'getPhoneNumber:ok' })
  await waitFor(() => fakeWx.calls('switchTab').length, 'the card tab')
  expect(fakeWx.calls('switchTab').pop().url).toBe('/pages/card/card')
  tokens.zhang = fakeWx.state.storage.get('yck.token')
  expect(tokens.zhang).toBeTruthy()

  const page = await renderPage('pages/card/card')
  await waitFor(() => page.instance.data.qrToken, 'the QR token')
  await sleep(50)
  expect(text(page)).toContain('张三')
  expect(text(page)).toContain('正常')
  const issued = httpWx.exchanges.filter((x) => x.path === '/api/v1/me/card/qr' && x.status === 200).pop().body
  expect(decodeMatrix(matrixFromDom(page.dom))).toBe(issued.token)
  expect(text(page)).toMatch(/动态码 [0-9]+ 秒后自动刷新/)
  expect(fakeWx.calls('setKeepScreenOn').pop().keepScreenOn).toBe(true)
  tokens.qr = issued.token
  page.instance.onUnload()
})

test('airport_staff scans that code: ok, and the same code again: token_used', async () => {
  const login = await renderPage('staff/pages/login/login')
  type(login, 'username', 'airport_staff')
  type(login, 'password', 'Demo@12345')
  await sleep(20)
  press(login, 'login')
  await waitFor(() => fakeWx.calls('reLaunch').length, 'the venue page')
  expect(fakeWx.calls('reLaunch').pop().url).toBe('/venue/pages/scan/scan')

  const page = await renderPage('venue/pages/scan/scan')
  await waitFor(() => !page.instance.data.loading, 'today’s visits')
  fakeWx.state.scanResults.push(tokens.qr, tokens.qr)
  press(page, 'scan')
  await waitFor(() => page.instance.data.result, 'the verdict')
  expect(page.instance.data.result.verdict).toBe('ok')
  await sleep(20)
  expect(text(page)).toContain('核验通过')
  expect(text(page)).toContain('A类英才卡')
  expect(page.instance.data.photoUrl).toMatch(new RegExp(`^${stack.base}/api/v1/uploads/`))
  await page.instance.scan()
  expect(page.instance.data.result.verdict).toBe('token_used')
  await sleep(20)
  expect(text(page)).toContain('核验未通过')
  expect(page.instance.data.visits.length).toBeGreaterThanOrEqual(2)
})

test('张三 books 子女入学; wendeng_window accepts it; 张三 sees the acceptance and its opinion', async () => {
  useSession(tokens.zhang)
  const services = await api('GET', '/api/v1/services?category=appointment&limit=100', { token: tokens.zhang })
  const school = services.body.items.find((s) => s.name.includes('子女入学'))
  const book = await renderPage('pages/book/book', { service_id: school.id })
  await waitFor(() => !book.instance.data.loading, 'the windows')
  const index = book.instance.data.windows.findIndex((w) => w.name.includes('文登'))
  expect(index).toBeGreaterThanOrEqual(0)
  press(book, `window-${index}`)
  type(book, 'content', '孩子明年秋季入学，需办理入学手续')
  await sleep(20)
  expect(book.instance.data.windowIndex).toBe(index)
  press(book, 'submit')
  await waitFor(() => fakeWx.calls('redirectTo').length, 'the appointment page')
  expect(fakeWx.calls('showModal')[0].title).toBe('确认提交预约')
  expect(fakeWx.calls('requestSubscribeMessage')[0].tmplIds).toEqual(Object.values(config.subscribeTemplates))
  const sub = httpWx.exchanges.filter((x) => x.path === '/api/v1/me/wechat-subscriptions').pop()
  expect(sub.status).toBe(200)
  const url = fakeWx.calls('redirectTo').pop().url
  const id = /id=(.+)$/.exec(url)[1]

  fakeWx.state.storage.clear()
  tokens.wendeng = await passwordToken('wendeng_window')
  useSession(tokens.wendeng, 'password')
  const todo = await renderPage('staff/pages/todo/todo')
  await waitFor(() => !todo.instance.data.loading, 'the to-do list')
  expect(todo.instance.data.items.map((a) => String(a.id))).toContain(String(id))
  expect(text(todo)).toContain('子女入学')

  const detail = await renderPage('staff/pages/detail/detail', { id })
  await waitFor(() => detail.instance.data.appt, 'the appointment')
  expect(detail.instance.data.actions.map((a) => a.text)).toEqual(['受理', '转办', '退回'])
  press(detail, 'action-accept')
  await waitFor(() => detail.instance.data.action === 'accept', 'the opinion form')
  await sleep(20)
  type(detail, 'opinion', '材料齐全，予以受理')
  await sleep(20)
  press(detail, 'confirm')
  await waitFor(() => detail.instance.data.appt.status === 'accepted', 'the accepted appointment')

  useSession(tokens.zhang)
  const mine = await renderPage('pages/appointment/appointment', { id })
  await waitFor(() => mine.instance.data.appt, 'the appointment')
  await sleep(20)
  const shown = text(mine)
  expect(shown).toContain('已受理')
  expect(shown).toContain('意见：材料齐全，予以受理')

  // the subscription granted after booking is used: WeChat gets a subscribe message for 张三's openid
  const deadline = Date.now() + 15000
  let sent = []
  while (!sent.length && Date.now() < deadline) {
    await sleep(250)
    const r = await httpWx.call(stack.fakeBase, 'GET', '/__fake__/subscribe-messages')
    sent = r.body.items.filter((m) => m.touser === 'o_mp_new_user')
  }
  expect(sent).toHaveLength(1)
})

test('张三 rates his completed appointment once', async () => {
  useSession(tokens.zhang)
  const done = await api('GET', '/api/v1/me/appointments?status=completed', { token: tokens.zhang })
  const target = done.body.items.find((a) => !a.rating) || done.body.items[0]
  const page = await renderPage('pages/appointment/appointment', { id: target.id })
  await waitFor(() => page.instance.data.appt, 'the appointment')
  expect(page.instance.data.canRate).toBe(true)
  pressStar(page, 'stars', 5)
  type(page, 'comment', '办理很快，服务周到')
  await waitFor(() => page.instance.data.stars === 5, 'five stars')
  press(page, 'rate')
  await waitFor(() => page.instance.data.appt && page.instance.data.appt.rating, 'the rating')
  expect(page.instance.data.canRate).toBe(false)
  await sleep(20)
  expect(text(page)).toContain('办理很快，服务周到')
  const again = await api('POST', `/api/v1/appointments/${target.id}/rating`, { token: tokens.zhang, json: { stars: 1 } })
  expect(again.status).toBe(409)
  expect(again.body.error.code).toBe('ALREADY_RATED')
})

test('张三 checks in by the airport poster', async () => {
  tokens.admin = await passwordToken('admin')
  const venues = await api('GET', '/api/v1/admin/venues', { token: tokens.admin })
  const poster = venues.body.items.find((v) => v.name.includes('机场')).checkin_url
  useSession(tokens.zhang)
  const page = await renderPage('pages/scan/scan')
  fakeWx.state.scanResults.push(poster)
  press(page, 'scan')
  await waitFor(() => page.instance.data.result, 'the check-in')
  expect(page.instance.data.result.verdict).toBe('ok')
  await sleep(20)
  const shown = text(page)
  expect(shown).toContain('核验通过')
  expect(shown).toContain('威海国际机场')
  expect(shown).toContain(page.instance.data.result.check_code)
  expect(page.instance.data.now).toMatch(/^[0-9]{4}年[0-9]{2}月[0-9]{2}日 [0-9]{2}:[0-9]{2}:[0-9]{2}$/)
  page.instance.onUnload()
})

test('after admin disables 张三’s card, his open card page says 已停用 at once and shows no code', async () => {
  useSession(tokens.zhang)
  const page = await renderPage('pages/card/card')
  await waitFor(() => page.instance.data.qrToken, 'the QR code')
  const socket = httpWx.sockets[httpWx.sockets.length - 1]
  await waitFor(() => socket.ws.readyState === 1, 'the live connection')
  await sleep(200) // the server registers the connection after the upgrade
  const card = await api('GET', '/api/v1/me/card', { token: tokens.zhang })
  const r = await api('POST', `/api/v1/admin/cards/${card.body.card_no}/disable`, { token: tokens.admin, json: { reason: '持卡人离职' } })
  expect(r.status).toBe(200)
  // no new render: the live push alone changes the page
  await waitFor(() => page.instance.data.card.status === 'disabled', 'the live card status')
  await sleep(20)
  expect(text(page)).toContain('已停用')
  expect(text(page)).toContain('英才卡已停用')
  expect(page.dom.querySelector('.qr-code--qr-row')).toBeNull()
  expect(text(page)).not.toContain('动态码')
  page.instance.onUnload()
  expect(socket.ws.readyState).toBeGreaterThanOrEqual(2) // closing or closed

  // and a fresh visit shows the same, without asking for a code
  const before = httpWx.exchanges.filter((x) => x.path === '/api/v1/me/card/qr').length
  const again = await renderPage('pages/card/card')
  await waitFor(() => again.instance.data.card, 'the card')
  await sleep(20)
  expect(text(again)).toContain('英才卡已停用')
  expect(httpWx.exchanges.filter((x) => x.path === '/api/v1/me/card/qr').length).toBe(before)
  again.instance.onUnload()
})
