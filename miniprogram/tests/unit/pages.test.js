// Every page's empty and error states, and the special answers pages handle themselves.
const { answer, apiError, state, calls, toasts } = require('../support/fake-wx')
const { renderPage, text } = require('../support/render-page')

const BROKEN = apiError(500, 'SERVER_ERROR', '服务器开小差了，请稍后再试')
const EMPTY = { items: [], next_cursor: null }

beforeEach(() => {
  state.storage.set('yck.token', 't')
})

// [page, query, the requests it makes, what an empty answer shows]
const LISTS = [
  ['pages/services/services', {}, ['GET /api/v1/services'], '该类别暂无服务'],
  ['pages/appointments/appointments', {}, ['GET /api/v1/me/appointments'], '暂无预约'],
  ['pages/applications/applications', {}, ['GET /api/v1/me/applications'], '暂无英才卡申领记录'],
  ['pages/listings/listings', {}, ['GET /api/v1/listings'], '暂无信息'],
  ['staff/pages/todo/todo', {}, ['GET /api/v1/staff/appointments'], '暂无待办事项'],
  ['venue/pages/scan/scan', {}, ['GET /api/v1/venue/visits'], '今日暂无核验记录'],
]

describe.each(LISTS)('%s', (pagePath, query, routes, emptyText) => {
  test('empty', async () => {
    for (const r of routes) answer(r, 200, EMPTY)
    const page = await renderPage(pagePath, query)
    expect(text(page)).toContain(emptyText)
    expect(page.dom.querySelector('[data-test=empty]')).not.toBeNull()
    expect(calls('stopPullDownRefresh').length).toBeGreaterThan(0)
  })

  test('error', async () => {
    for (const r of routes) answer(r, 500, BROKEN)
    const page = await renderPage(pagePath, query)
    expect(page.dom.querySelector('[data-test=error]')).not.toBeNull()
    expect(page.instance.data.error).toBe('服务器开小差了，请稍后再试')
    expect(toasts()).toContain('服务器开小差了，请稍后再试')
  })
})

const DETAILS = [
  ['pages/service/service', { id: '9' }, ['GET /api/v1/services/9']],
  ['pages/book/book', { service_id: '9' }, ['GET /api/v1/services/9']],
  ['pages/appointment/appointment', { id: '9' }, ['GET /api/v1/appointments/9']],
  ['pages/application/application', { id: '9' }, ['GET /api/v1/applications/9']],
  ['pages/listing/listing', { id: '9' }, ['GET /api/v1/listings/9']],
  ['pages/mine/mine', {}, ['GET /api/v1/me']],
  ['staff/pages/detail/detail', { id: '9' }, ['GET /api/v1/appointments/9']],
  ['pages/card/card', {}, ['GET /api/v1/me/card']],
]

test.each(DETAILS)('%s shows the error it got', async (pagePath, query, routes) => {
  for (const r of routes) answer(r, 404, apiError(404, 'NOT_FOUND', '内容不存在或已删除'))
  const page = await renderPage(pagePath, query)
  expect(page.dom.querySelector('[data-test=error]')).not.toBeNull()
  expect(text(page)).toContain('内容不存在或已删除')
})

test('no card: says so and offers the application progress, no toast', async () => {
  answer('GET /api/v1/me/card', 404, apiError(404, 'NO_CARD', '您还没有英才卡'))
  const page = await renderPage('pages/card/card')
  expect(text(page)).toContain('您还没有英才卡')
  expect(toasts()).toEqual([])
  expect(state.requests.some((r) => r.url.includes('/me/card/qr'))).toBe(false)
})

test('service detail: windows with tap-to-call and address', async () => {
  answer('GET /api/v1/services/9', 200, { id: '9', name: '子女入学', category: 'appointment', description: '协助办理子女入学', eligible_levels: ['A', 'B'], venues: [],
    windows: [{ id: '3', name: '文登区人才服务窗口', org_name: '文登区人社局', district: '文登区', contact_name: '李专员', phone: '0631-8451234', address: '文登区文山路1号', hours: '工作日 9:00-17:00' }] })
  const page = await renderPage('pages/service/service', { id: '9' })
  expect(text(page)).toContain('A、B类英才卡')
  expect(text(page)).toContain('文登区文山路1号')
  page.instance.call({ currentTarget: { dataset: { phone: '0631-8451234' } } })
  expect(calls('makePhoneCall')).toEqual([{ phoneNumber: '0631-8451234' }])
})

test('an on-site service lists its venues and offers the scan', async () => {
  answer('GET /api/v1/services/2', 200, { id: '2', name: '机场贵宾通道', category: 'onsite', description: '', eligible_levels: ['A', 'B'], quota_per_year: 12, windows: [],
    venues: [{ id: '1', name: '威海国际机场商务贵宾区', type: 'airport', district: '文登区', address: '大水泊镇' }] })
  const page = await renderPage('pages/service/service', { id: '2' })
  expect(text(page)).toContain('威海国际机场商务贵宾区')
  expect(text(page)).toContain('每年可使用 12 次')
  expect(text(page)).toContain('扫码使用')
  expect(text(page)).not.toContain('暂无办理窗口')
})

test('booking needs a window and a need, and a confirmation', async () => {
  answer('GET /api/v1/services/9', 200, { id: '9', name: '子女入学', category: 'appointment', description: '', windows: [{ id: '3', name: '文登区窗口', district: '文登区', address: '' }] })
  const page = await renderPage('pages/book/book', { service_id: '9' })
  await page.instance.submit()
  expect(toasts()).toEqual(['请选择办理窗口'])
  page.instance.pickWindow({ currentTarget: { dataset: { index: 0 } } })
  await page.instance.submit()
  expect(toasts()).toEqual(['请选择办理窗口', '请填写办理需求'])
  page.instance.onContent({ detail: '入学' })
  state.modalConfirm = false
  await page.instance.submit()
  expect(state.requests.filter((r) => r.method === 'POST')).toEqual([]) // "再看看": nothing sent
})

test('a refused subscription is reported as not accepted', async () => {
  answer('GET /api/v1/services/9', 200, { id: '9', name: '子女入学', category: 'appointment', description: '', windows: [{ id: '3', name: '文登区窗口', district: '文登区', address: '' }] })
  answer('POST /api/v1/appointments', 201, { id: '77', status: 'submitted', version: 1 })
  answer('POST /api/v1/me/wechat-subscriptions', 200, { template: 'appointment_progress', remaining: 0 })
  state.subscribeAnswer = 'reject'
  const page = await renderPage('pages/book/book', { service_id: '9' })
  page.instance.pickWindow({ currentTarget: { dataset: { index: 0 } } })
  page.instance.onContent({ detail: '入学' })
  await page.instance.submit()
  const booked = state.requests.find((r) => r.url.endsWith('/appointments'))
  expect(booked.header['Idempotency-Key']).toMatch(/^mp-/)
  expect(state.requests.find((r) => r.url.endsWith('/me/wechat-subscriptions')).data).toEqual({ template: 'appointment_progress', accepted: false })
  expect(calls('redirectTo')).toEqual([{ url: '/pages/appointment/appointment?id=77' }])
})

test('a returned appointment can be edited and resubmitted, or cancelled', async () => {
  const appt = { id: '5', status: 'returned', version: 3, service: { name: '子女入学' }, window: { id: '3', name: '文登区窗口' }, content: '旧', history: [{ action: 'return', actor_name: '王窗口', opinion: '请补充户籍证明', at: '2026-11-23T09:30:00+08:00' }] }
  answer('GET /api/v1/appointments/5', 200, appt, { times: 1 })
  answer('POST /api/v1/appointments/5/resubmit', (opts) => {
    expect(opts.data).toEqual({ content: '已补充户籍证明', version: 3 })
    return { status: 200, body: { ...appt, status: 'submitted', version: 4 } }
  })
  answer('GET /api/v1/appointments/5', 200, { ...appt, status: 'submitted', version: 4 })
  const page = await renderPage('pages/appointment/appointment', { id: '5' })
  expect(text(page)).toContain('意见：请补充户籍证明')
  expect(text(page)).toContain('修改后重新提交')
  expect(text(page)).toContain('取消预约')
  page.instance.startEdit()
  page.instance.onContent({ detail: '已补充户籍证明' })
  await page.instance.resubmit()
  expect(page.instance.data.statusText).toBe('待受理')
})

test('the holder’s scan shows a refusal in plain words', async () => {
  state.scanResults.push('https://yck.example.gov.cn/h5/#/checkin?v=V1.x')
  answer('POST /api/v1/onsite/checkin', 200, { verdict: 'quota_exhausted', message: '本年度该服务次数已用完', venue: { name: '威海国际机场商务贵宾区' }, at: '2026-11-23T09:30:00+08:00' })
  const page = await renderPage('pages/scan/scan')
  await page.instance.scan()
  expect(text(page)).toContain('核验未通过')
  expect(text(page)).toContain('本年度该服务次数已用完')
  expect(page.dom.querySelector('[data-test=check-code]')).toBeNull()
})

test('a cancelled camera scan sends nothing', async () => {
  const page = await renderPage('pages/scan/scan')
  await page.instance.scan()
  expect(state.requests).toEqual([])
})

test('clerk login: 428 CAPTCHA_REQUIRED shows the captcha image, the next try sends it', async () => {
  answer('POST /api/v1/auth/password/login', 428, apiError(428, 'CAPTCHA_REQUIRED', '请输入图形验证码'), { times: 1 })
  answer('GET /api/v1/auth/captcha', 200, { captcha_id: 'c1', image: 'data:image/png;base64,iVBORw0KGgo=' })
  answer('POST /api/v1/auth/password/login', (opts) => {
    expect(opts.data).toEqual({ username: 'wendeng_window', password: 'x', captcha_id: 'c1', captcha_code: 'AB12' })
    return { status: 200, body: { token: 'st', user: { id: '2', name: '文登窗口', roles: ['window_staff'] } } }
  })
  const page = await renderPage('staff/pages/login/login')
  page.instance.onUsername({ detail: 'wendeng_window' })
  page.instance.onPassword({ detail: 'x' })
  await page.instance.login()
  expect(page.instance.data.captchaImage).toBe('data:image/png;base64,iVBORw0KGgo=')
  expect(page.dom.querySelector('[data-test=captcha]')).not.toBeNull()
  page.instance.onCaptcha({ detail: 'AB12' })
  await page.instance.login()
  expect(calls('reLaunch')).toEqual([{ url: '/staff/pages/todo/todo' }])
  expect(state.storage.get('yck.kind')).toBe('password')
})

test('clerk detail: 转办 needs a window and an opinion; a stale version reloads and says why', async () => {
  const appt = { id: '5', status: 'submitted', version: 1, service: { name: '子女入学' }, window: { id: '3', name: '文登区窗口' }, content: '入学', history: [] }
  answer('GET /api/v1/appointments/5', 200, appt, { times: 1 })
  answer('GET /api/v1/windows', 200, { items: [{ id: '3', name: '文登区窗口', district: '文登区' }, { id: '4', name: '荣成市窗口', district: '荣成市' }] })
  answer('POST /api/v1/staff/appointments/5/actions', 409, apiError(409, 'VERSION_CONFLICT', '该事项已被处理', { current: { ...appt, status: 'accepted', version: 2 } }))
  answer('GET /api/v1/appointments/5', 200, { ...appt, status: 'accepted', version: 2 })
  const page = await renderPage('staff/pages/detail/detail', { id: '5' })
  expect(page.instance.data.actions.map((a) => a.text)).toEqual(['受理', '转办', '退回'])
  await page.instance.choose({ currentTarget: { dataset: { action: 'forward' } } })
  expect(page.instance.data.windowNames).toEqual(['荣成市窗口（荣成市）']) // not its own window
  await page.instance.submit()
  expect(toasts().pop()).toBe('请填写原因')
  page.instance.onOpinion({ detail: '属荣成市办理' })
  await page.instance.submit()
  expect(toasts().pop()).toBe('请选择转办窗口')
  page.instance.onWindow({ detail: { value: '0' } })
  await page.instance.submit()
  const sent = state.requests.find((r) => r.method === 'POST')
  expect(sent.data).toEqual({ action: 'forward', opinion: '属荣成市办理', to_window_id: '4', version: 1 })
  expect(toasts().pop()).toBe('该事项已被他人处理，已刷新为最新状态')
  expect(page.instance.data.statusText).toBe('待预审')
  expect(page.instance.data.actions.map((a) => a.text)).toEqual(['预审', '转办', '退回'])
})

test('the to-do list marks overdue work', async () => {
  answer('GET /api/v1/staff/appointments', 200, { items: [
    { id: '1', status: 'submitted', overdue: true, service: { name: '子女入学' }, window: { name: '文登区窗口' }, holder_name: '张三', content: 'a', created_at: '2026-11-20T09:00:00+08:00', deadline_at: '2026-11-21T09:00:00+08:00' },
    { id: '2', status: 'submitted', overdue: false, service: { name: '就医' }, window: { name: '文登区窗口' }, holder_name: '李四', content: 'b', created_at: '2026-11-23T09:00:00+08:00' },
  ], next_cursor: null })
  const page = await renderPage('staff/pages/todo/todo')
  expect(text(page)).toContain('1 件已超过办理时限')
  expect(page.dom.querySelectorAll('.main--late')).toHaveLength(1)
  expect(text(page)).toContain('2026年11月20日 09:00')
  expect(page.instance.data.badges).toEqual([1, '', ''])
  expect(state.requests.map((r) => r.url.split('?')[1]).sort()).toEqual(['overdue=true&limit=100', 'status=submitted&limit=50'])
})

test('mine: masked phone and logout', async () => {
  answer('GET /api/v1/me', 200, { id: '1', name: '张三', roles: ['holder'], phone_masked: '138****0001' })
  answer('POST /api/v1/auth/logout', 204, '')
  const page = await renderPage('pages/mine/mine')
  expect(text(page)).toContain('138****0001')
  await page.instance.logout()
  expect(state.storage.has('yck.token')).toBe(false)
  expect(calls('reLaunch')).toEqual([{ url: '/pages/login/login' }])
})

test('application progress: stages with opinions, and 补正 sends the person to the H5 with a copyable link', async () => {
  answer('GET /api/v1/applications/8', 200, {
    id: '8', type: 'new', status: 'correction_required', acceptance_no: 'RC20261123093000123', version: 3,
    stages: [
      { name: '主管部门审核', org_name: '文登区人社局', state: 'returned', actor_name: '审核员', opinion: '学位证书不清晰', at: '2026-11-23T10:00:00+08:00' },
      { name: '市人社局初审', org_name: '威海市人社局', state: 'pending' },
    ],
  })
  const page = await renderPage('pages/application/application', { id: '8' })
  const shown = text(page)
  expect(shown).toContain('意见：学位证书不清晰')
  expect(shown).toContain('请在网页版')
  page.instance.copyLink()
  expect(calls('setClipboardData')[0].data).toMatch(/#\/applications\/8$/)
})

test('login: an openid already bound goes straight to the card', async () => {
  state.storage.clear()
  state.loginCodes.push('c')
  answer('POST /api/v1/auth/wechat/mp-login', 200, { token: 'tk', user: { id: '1', roles: ['holder'] } })
  await renderPage('pages/login/login')
  expect(calls('switchTab')).toEqual([{ url: '/pages/card/card' }])
})

test('login: a denied phone button opens the SMS binding', async () => {
  state.storage.clear()
  state.storage.set('yck.bindTicket', 'bt')
  const page = await renderPage('pages/login/login')
  await page.instance.onPhoneNumber({ detail: { errMsg: 'getPhoneNumber:fail user deny' } })
  expect(page.dom.querySelector('[data-test=sms-form]')).not.toBeNull()
  answer('POST /api/v1/auth/wechat/bind', 400, apiError(400, 'SMS_CODE_INVALID', '验证码错误或已失效'))
  page.instance.onPhoneInput({ detail: '13800000001' })
  page.instance.onCodeInput({ detail: '123456' })
  await page.instance.onBind()
  expect(toasts().pop()).toBe('验证码错误或已失效')
  expect(state.requests.pop().data).toEqual({ bind_ticket: 'bt', phone: '13800000001', code: '123456' })
})

test('a clerk opening the app is sent to their to-do list, not the holder’s card', async () => {
  state.storage.set('yck.kind', 'password')
  state.storage.set('yck.user', { id: '2', name: '文登窗口', roles: ['window_staff'] })
  const page = await renderPage('pages/card/card')
  expect(calls('reLaunch')).toEqual([{ url: '/staff/pages/todo/todo' }])
  expect(state.requests).toEqual([])
  page.instance.onUnload()
})

test('login: WeChat’s login service failing says so and still offers the phone button', async () => {
  state.storage.clear()
  state.loginCodes.push('c')
  answer('POST /api/v1/auth/wechat/mp-login', 502, apiError(502, 'WECHAT_UNAVAILABLE', '微信服务暂时不可用，请稍后再试'))
  const page = await renderPage('pages/login/login')
  expect(text(page)).toContain('微信服务暂时不可用，请稍后再试')
  expect(text(page)).toContain('微信手机号快捷登录')
  expect(toasts()).toEqual(['微信服务暂时不可用，请稍后再试'])
})

test('login: wx.login itself failing', async () => {
  state.storage.clear()
  const page = await renderPage('pages/login/login')
  expect(page.dom.querySelector('[data-test=error]')).not.toBeNull()
  expect(text(page)).toContain('微信登录失败，请重试')
})

test('scan: no network keeps the scan button and says why', async () => {
  state.scanResults.push('https://yck.example.gov.cn/h5/#/checkin?v=V1.x')
  answer('POST /api/v1/onsite/checkin', 'network-error')
  const page = await renderPage('pages/scan/scan')
  await page.instance.scan()
  expect(toasts()).toEqual(['网络连接失败，请检查网络后重试'])
  expect(page.dom.querySelector('[data-test=verdict]')).toBeNull()
  expect(page.instance.data.busy).toBe(false)
})

test('venue scan: a failed request shows why, the big button stays', async () => {
  answer('GET /api/v1/venue/visits', 200, EMPTY)
  answer('POST /api/v1/venue/scan', 403, apiError(403, 'FORBIDDEN', '您没有权限执行此操作'))
  state.scanResults.push('tok')
  const page = await renderPage('venue/pages/scan/scan')
  await page.instance.scan()
  expect(toasts()).toEqual(['您没有权限执行此操作'])
  expect(state.requests.find((r) => r.method === 'POST').header['Idempotency-Key']).toMatch(/^mp-/)
  expect(page.dom.querySelector('[data-test=verdict]')).toBeNull()
  expect(page.dom.querySelector('[data-test=scan]')).not.toBeNull()
})

test('clerk login: wrong password shows the contract’s message', async () => {
  answer('POST /api/v1/auth/password/login', 401, apiError(401, 'BAD_CREDENTIALS', '账号或密码错误'))
  const page = await renderPage('staff/pages/login/login')
  page.instance.onUsername({ detail: 'x' })
  page.instance.onPassword({ detail: 'y' })
  await page.instance.login()
  expect(toasts()).toEqual(['账号或密码错误'])
  expect(calls('reLaunch')).toEqual([])
})
