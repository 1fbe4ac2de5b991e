// The PC console (/console/) in a real Chromium at 1366×768 against a real server on a fresh SQLite
// database (issue 13's journeys). Run: node --test tests/e2e/ (make test runs it where a Chromium is found).
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { ROOT, SHOTS, findChromium, launchBrowser, lastSmsCode, loginBySms, newPage, pick, startServer } from './harness.mjs'

const chromium = findChromium()
const built = existsSync(join(ROOT, 'h5', 'dist-console', 'index.html'))
let skip = false
if (!chromium) {
  const msg = 'no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)'
  if (process.env.REQUIRE_BROWSER === '1') throw new Error(`REQUIRE_BROWSER=1 but ${msg}`)
  console.log(`SKIPPED the console browser journeys: ${msg}`)
  skip = 'no Chromium'
}
if (!built) throw new Error('h5/dist-console is missing: run `make h5` first')

const DOCS = join(ROOT, 'docs', 'console')

/** A desktop page at 1366×768 that records console errors (see harness.newPage). */
async function consolePage(browser) {
  const page = await newPage(browser, { desktop: true })
  await page.setViewportSize({ width: 1366, height: 768 })
  return page
}

async function login(page, base, username, password = 'Demo@12345') {
  await page.goto(`${base}/console/`)
  await page.waitForURL(/#\/login/)
  await page.getByPlaceholder('请输入账号').fill(username)
  await page.getByPlaceholder('请输入密码').fill(password)
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await page.locator('[data-test=user-name]').waitFor()
}

async function shot(page, name, { docs = false } = {}) {
  await page.locator('.el-message').filter({ visible: true }).waitFor({ state: 'detached', timeout: 5000 }).catch(() => {})
  await page.waitForTimeout(400)
  const path = join(SHOTS, `console-${name}.png`)
  await page.screenshot({ path, fullPage: false })
  // docs/console keeps the committed pictures; refresh them with UPDATE_DOCS_SHOTS=1
  if (docs && process.env.UPDATE_DOCS_SHOTS === '1') copyFileSync(path, join(DOCS, `${name}.png`))
}

async function api(base, token, method, path, body) {
  const r = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await r.text()
  return { status: r.status, body: text ? JSON.parse(text) : null }
}

async function staffToken(base, username) {
  const r = await api(base, null, 'POST', '/auth/password/login', { username, password: 'Demo@12345' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  return r.body.token
}

async function holderToken(base, phone) {
  assert.equal((await api(base, null, 'POST', '/auth/sms/send', { phone, purpose: 'login' })).status, 200)
  const code = await lastSmsCode(base, phone)
  const r = await api(base, null, 'POST', '/auth/sms/login', { phone, code })
  assert.equal(r.status, 200)
  return r.body.token
}

/** Choose an option of an el-select by its visible text. */
async function choose(page, select, text) {
  await select.click()
  const exact = new RegExp(`^\\s*${text.replace(/[()（）]/g, '.')}\\s*$`)
  const item = page.locator('.el-select-dropdown__item:visible').filter({ hasText: exact }).first()
  await item.click()
  await page.waitForTimeout(300) // the dropdown's closing transition
}

function noProblems(page) {
  assert.deepEqual(page.problems, [], `console errors on ${page.url()}`)
}

describe('console journeys', { skip, timeout: 300_000 }, () => {
  let server
  let browser
  const pages = []
  let zhang // 张三's session from his H5 login (a second SMS within a minute would be rate-limited)
  const open = async () => {
    const p = await consolePage(browser)
    pages.push(p)
    return p
  }

  before(async () => {
    server = await startServer()
    browser = await launchBrowser(chromium)
  })

  after(async () => {
    if (browser) await browser.close()
    if (server) await server.stop()
  })

  test('admin creates a service and a window; 张三 books that service at that window in the H5', async () => {
    const base = server.base
    const admin = await open()
    await login(admin, base, 'admin')
    await admin.goto(`${base}/console/#/admin/services`)
    await admin.locator('[data-test=service-new]').click()
    await admin.locator('[data-test=service-name]').fill('人才公寓申请')
    await admin.locator('[data-test=service-code]').fill('talent_flat_e2e')
    await admin.locator('[data-test=service-save]').click()
    await admin.locator('.el-table').getByText('人才公寓申请').waitFor()

    await admin.goto(`${base}/console/#/admin/windows`)
    await admin.locator('[data-test=window-new]').click()
    const form = admin.locator('[data-test=window-form]')
    await form.locator('[data-test=window-name]').fill('文登高新人才服务窗口')
    await choose(admin, form.locator('[data-test=window-org]'), '威海市人力资源和社会保障局')
    await choose(admin, form.locator('[data-test=window-district]'), '文登区')
    await form.locator('[data-test=window-contact]').fill('赵专员')
    await form.locator('[data-test=window-phone]').fill('0631-5800000')
    await form.locator('[data-test=window-address]').fill('文登区火炬路1号')
    await choose(admin, form.locator('[data-test=window-services]'), '人才公寓申请')
    await admin.locator('.el-dialog__title', { hasText: '新建窗口' }).click() // closes the dropdown (Escape would close the dialog)
    await admin.locator('[data-test=window-save]').click()
    await admin.locator('.el-table').getByText('文登高新人才服务窗口').waitFor()
    await shot(admin, 'admin-windows')
    noProblems(admin)

    // the holder's side: the H5 on a phone
    const holder = await newPage(browser)
    pages.push(holder)
    await loginBySms(holder, base, '13800000001')
    await holder.waitForURL(/#\/card$/)
    await holder.getByText('绿色通道', { exact: true }).click()
    await holder.getByText('人才公寓申请').click()
    await holder.locator('[data-test=book]').click()
    await holder.getByPlaceholder('请选择区市').click()
    await pick(holder, '文登区') // the only window there that handles the new service
    await holder.getByText('文登高新人才服务窗口').waitFor()
    await holder.getByPlaceholder('请描述您需要办理的事项').fill('申请文登区人才公寓一套。')
    await holder.locator('[data-test=submit-booking]').click()
    await holder.locator('.van-dialog__confirm').click() // 确认提交预约
    await holder.waitForURL(/#\/appointments\/\d+$/)
    await holder.locator('[data-test=appointment-status]').getByText('待受理').waitFor()
    zhang = await holder.evaluate(() => localStorage.getItem('yck.token'))
    assert.deepEqual(holder.problems, [])
  })

  test('city_reviewer opens 李四’s photo in the zoom viewer and returns the application with an opinion', async () => {
    const base = server.base
    // 李四 submits his draft; 市农业农村局 approves its stage, so it waits at 市人社局
    const li = await holderToken(base, '13800000002')
    const mine = await api(base, li, 'GET', '/me/applications')
    const draft = mine.body.items.find((a) => a.status === 'draft')
    const sub = await api(base, li, 'POST', `/applications/${draft.id}/submit`, { version: draft.version })
    assert.equal(sub.status, 200, JSON.stringify(sub.body))
    const agri = await staffToken(base, 'agri_reviewer')
    const fresh = await api(base, agri, 'GET', `/applications/${draft.id}`)
    const ok = await api(base, agri, 'POST', `/review/applications/${draft.id}/actions`, { action: 'approve', opinion: '同意', version: fresh.body.version })
    assert.equal(ok.status, 200, JSON.stringify(ok.body))

    const page = await open()
    await login(page, base, 'city_reviewer')
    await page.waitForURL(/#\/review$/)
    await page.locator('[data-test="review-open-李四"]').click()
    await page.waitForURL(new RegExp(`#/review/${draft.id}$`))
    await page.getByText('威海市乡村之星').first().waitFor() // every field of the form, the honor title among them
    await page.getByText('同意').first().waitFor() // the earlier opinion on the route
    const photo = page.locator('[data-test=applicant-photo] img')
    await photo.waitFor()
    await photo.click()
    const viewer = page.locator('.el-image-viewer__wrapper')
    await viewer.waitFor()
    await viewer.locator('.el-image-viewer__canvas img').waitFor()
    // rotate: the viewer's toolbar turns the image
    const before = await viewer.locator('.el-image-viewer__canvas img').getAttribute('style')
    await viewer.locator('.el-image-viewer__actions__inner .el-icon').last().click() // rotate right
    await page.waitForTimeout(300)
    const rotated = await viewer.locator('.el-image-viewer__canvas img').getAttribute('style')
    assert.notEqual(rotated, before)
    assert.match(rotated, /rotate\(/)
    await shot(page, 'reviewer-zoom')
    await page.keyboard.press('Escape')
    await viewer.waitFor({ state: 'detached' })

    await page.locator('[data-test=decide-return]').click()
    await page.locator('[data-test=opinion]').fill('照片不符合要求，请上传近期免冠证件照。')
    await page.evaluate(() => window.scrollTo(0, 0))
    await shot(page, 'reviewer-workbench', { docs: true })
    await page.locator('[data-test=decide-confirm]').click()
    await page.locator('[data-test=decision]').waitFor({ state: 'detached' })
    await page.getByText('材料补正').first().waitFor()
    noProblems(page)

    // 李四 sees the outcome and receives the SMS (application_returned, delivered by the outbox relay)
    const seen = await api(base, li, 'GET', `/applications/${draft.id}`)
    assert.equal(seen.body.status, 'correction_required')
    assert.ok(seen.body.stages.some((s) => s.opinion === '照片不符合要求，请上传近期免冠证件照。'))
    let returned
    for (let i = 0; i < 50 && !returned; i++) {
      const sms = await api(base, null, 'GET', '/dev/sms?phone=13800000002')
      returned = sms.body.items.find((m) => m.template === 'application_returned')
      if (!returned) await new Promise((r) => setTimeout(r, 200))
    }
    assert.ok(returned, '李四 received the application_returned SMS')
    assert.match(returned.text || JSON.stringify(returned.params), /补正|退回/)
  })

  test('the statistics page draws its charts from real data (a scan and a rating made here)', async () => {
    const base = server.base
    // 张三: a QR token scanned at the airport, and a rating of his completed appointment
    assert.ok(zhang, '张三 logged in in the booking journey')
    const qr = await api(base, zhang, 'POST', '/me/card/qr')
    const airport = await staffToken(base, 'airport_staff')
    const scan = await api(base, airport, 'POST', '/venue/scan', { token: qr.body.token })
    assert.equal(scan.body.verdict, 'ok')
    const done = (await api(base, zhang, 'GET', '/me/appointments?status=completed')).body.items[0]
    const rated = await api(base, zhang, 'POST', `/appointments/${done.id}/rating`, { stars: 2, comment: '等候时间太长' })
    assert.equal(rated.status, 201, JSON.stringify(rated.body))

    const page = await open()
    await login(page, base, 'admin')
    const visits = page.waitForResponse((r) => r.url().includes('/api/v1/admin/stats/visits?'))
    await page.goto(`${base}/console/#/admin/stats?tab=visits&group=month`)
    const body = await (await visits).json()
    assert.ok(body.items.some((r) => r.venue.name === '威海国际机场商务贵宾区' && r.ok >= 1), JSON.stringify(body))
    await page.locator('[data-test=stats-visits] canvas').first().waitFor()
    await shot(page, 'admin-stats-visits', { docs: true })

    const ratings = page.waitForResponse((r) => r.url().includes('/api/v1/admin/stats/ratings'))
    await page.getByRole('tab', { name: '服务评价' }).click()
    const rbody = await (await ratings).json()
    assert.ok(rbody.items.some((r) => r.count >= 1), JSON.stringify(rbody))
    await page.locator('[data-test=stats-ratings] canvas').first().waitFor()
    await page.locator('.detail').getByText(rbody.items[0].window_name).waitFor()
    noProblems(page)
  })

  test('the poor rating becomes a follow-up: wendeng_window rectifies it, admin sees the rater and records the revisit', async () => {
    const base = server.base
    const clerk = await open()
    await login(clerk, base, 'wendeng_window')
    await clerk.goto(`${base}/console/#/followups`)
    const table = clerk.locator('[data-test=followups]')
    await table.getByText('文登区人才服务窗口').waitFor()
    assert.equal(await table.getByText('138****0001').count(), 0) // the rater is not shown to the window
    await table.locator('[data-test=rectify]').first().click()
    await clerk.locator('.el-dialog textarea').fill('已调整窗口排班，高峰时段增开一个受理位。')
    await clerk.locator('.el-dialog').getByRole('button', { name: '提交' }).click()
    await table.getByText('待回访').waitFor()
    noProblems(clerk)

    const admin = await open()
    await login(admin, base, 'admin')
    await admin.goto(`${base}/console/#/admin/followups?status=rectified`)
    const rows = admin.locator('[data-test=followups]')
    await rows.getByText('138****0001').waitFor() // 张三, the rater, for the administrator
    await rows.locator('[data-test=revisit]').first().click()
    await admin.locator('.el-dialog textarea').fill('持卡人表示再次办理时已无需等候。')
    await admin.locator('.el-dialog').getByRole('button', { name: '提交' }).click()
    await rows.getByText('暂无差评整改').waitFor()
    await admin.getByText('已办结', { exact: true }).click()
    await admin.waitForURL(/status=closed/)
    await rows.getByText('文登区人才服务窗口').waitFor()
    noProblems(admin)
  })

  test('admin disables a card from its detail page with a reason; the history shows it', async () => {
    const base = server.base
    const page = await open()
    await login(page, base, 'admin')
    await page.goto(`${base}/console/#/admin/cards?q=${encodeURIComponent('张三')}`)
    await page.locator('[data-test=card-link]').first().click()
    await page.waitForURL(/#\/admin\/cards\/[^/]+$/)
    await page.locator('[data-test=card-status]').getByText('正常').waitFor()
    await page.locator('[data-test=card-toggle]').click()
    const box = page.locator('.el-message-box')
    await box.locator('textarea').fill('持卡人离职调出本市')
    await box.getByRole('button', { name: '确定' }).click()
    await page.locator('[data-test=card-status]').getByText('已停用').waitFor()
    await page.locator('[data-test=card-history]').getByText('持卡人离职调出本市').waitFor()
    await shot(page, 'admin-card-detail', { docs: true })
    noProblems(page)
  })

  test('city_window filters the comprehensive query to overdue work and exports it', async () => {
    const base = server.base
    const page = await open()
    await login(page, base, 'city_window')
    await page.waitForURL(/#\/appointments$/)
    await choose(page, page.locator('[data-test=f-overdue]'), '已超期')
    const listed = page.waitForResponse((r) => r.url().includes('/api/v1/staff/appointments?') && r.url().includes('overdue=true'))
    await page.locator('[data-test=search]').click()
    await page.waitForURL(/overdue=true/)
    const body = await (await listed).json()
    assert.ok(body.items.every((a) => a.overdue === true))
    const rows = await page.locator('.el-table__body-wrapper tr.el-table__row').count()
    assert.equal(rows, body.items.length)
    if (rows) assert.equal(await page.locator('.el-table__body-wrapper tr.row-overdue').count(), rows)
    await shot(page, 'city-window-overdue')

    const exported = page.waitForRequest((r) => r.url().includes('/staff/appointments/export.xlsx'))
    const download = page.waitForEvent('download')
    await page.locator('[data-test=export]').click()
    assert.match((await exported).url(), /overdue=true/)
    const file = await download
    assert.equal(file.suggestedFilename(), '预约综合查询.xlsx')
    const saved = join(SHOTS, 'console-overdue.xlsx')
    await file.saveAs(saved)
    assert.equal(readFileSync(saved).subarray(0, 2).toString(), 'PK') // an .xlsx is a zip
    // a reload keeps the filter (it lives in the URL)
    await page.reload()
    await page.locator('[data-test=f-overdue]').getByText('已超期').waitFor()
    noProblems(page)
  })

  test('admin: a new reviewer account, the route preview of an honor title, a venue poster', async () => {
    const base = server.base
    const page = await open()
    await login(page, base, 'admin')

    await page.goto(`${base}/console/#/admin/accounts`)
    await page.locator('[data-test=account-new]').click()
    const dialog = page.locator('.el-dialog', { hasText: '新建账号' })
    await dialog.locator('[data-test=account-username]').fill('e2e_reviewer')
    await dialog.locator('[data-test=account-password]').fill('Review@2026x')
    await dialog.locator('[data-test=account-name]').fill('钱审核')
    await dialog.getByText('审核人员', { exact: true }).click()
    await choose(page, dialog.locator('[data-test=account-org]'), '威海市人力资源和社会保障局')
    await dialog.getByRole('button', { name: '保存' }).click()
    await page.locator('.el-table').getByText('e2e_reviewer').waitFor()
    const r = await api(base, null, 'POST', '/auth/password/login', { username: 'e2e_reviewer', password: 'Review@2026x' })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    assert.deepEqual(r.body.user.roles, ['reviewer'])

    await page.goto(`${base}/console/#/admin/orgs?q=${encodeURIComponent('乡村之星')}`)
    await page.locator('.el-table').getByText('威海市乡村之星').waitFor()
    await choose(page, page.locator('[data-test=route-title]'), '威海市乡村之星')
    await page.locator('[data-test=route-preview]').click()
    const steps = page.locator('[data-test=route-steps]')
    await steps.getByText('威海市农业农村局').waitFor()
    await shot(page, 'admin-orgs-route')

    await page.goto(`${base}/console/#/admin/venues`)
    await page.locator('.el-table__row', { hasText: '威海市立医院' }).getByRole('button', { name: '海报' }).click()
    const poster = page.locator('[data-test=poster] img')
    await poster.waitFor()
    assert.ok(await poster.evaluate((img) => img.complete && img.naturalWidth > 300))
    await shot(page, 'admin-venue-poster')
    noProblems(page)
  })

  test('a registration made through the API is approved on 单位注册审核; its staff log in and see the 关联代码; admin marks a holiday', async () => {
    const base = server.base
    const phone = '13900000077'
    assert.equal((await api(base, null, 'POST', '/auth/sms/send', { phone, purpose: 'employer_reg' })).status, 200)
    const smsCode = await lastSmsCode(base, phone)
    const reg = await api(base, null, 'POST', '/employers/register', {
      name: '威海蓝海新材料有限公司', credit_code: '91371000MA3CE2E0XR', district: '文登区', is_city_level: false,
      contact_name: '王敏', contact_phone: phone, sms_code: smsCode, username: 'lanhai_hr', password: 'Lanhai@2026',
    })
    assert.equal(reg.status, 201, JSON.stringify(reg.body))

    const admin = await open()
    await login(admin, base, 'admin')
    await admin.goto(`${base}/console/#/admin/employers`)
    const row = admin.locator('[data-test=employers] .el-table__row', { hasText: '威海蓝海新材料有限公司' })
    await row.waitFor()
    await row.getByText('—').first().waitFor() // no 关联代码 before approval
    await row.locator('[data-test=employer-detail]').click()
    const drawer = admin.locator('[data-test=employer-drawer]')
    await drawer.getByText('91371000MA3CE2E0XR').waitFor()
    await drawer.getByText('139****0077').waitFor() // the contact's phone masked
    await admin.keyboard.press('Escape')
    await drawer.waitFor({ state: 'hidden' })
    await row.locator('[data-test=employer-approve]').click()
    const box = admin.locator('.el-message-box')
    await box.getByText('威海蓝海新材料有限公司', { exact: false }).waitFor()
    await box.getByRole('button', { name: '确定' }).click()
    await row.waitFor({ state: 'detached' }) // it left the pending list
    await admin.locator('[data-test=employer-status]').getByText('已入库', { exact: true }).click()
    await admin.waitForURL(/status=active/)
    const done = admin.locator('[data-test=employers] .el-table__row', { hasText: '威海蓝海新材料有限公司' })
    const code = (await done.locator('[data-test=association-code]').innerText()).trim()
    assert.match(code, /^[A-Z0-9]{4,}$/)
    await shot(admin, 'admin-employers')
    noProblems(admin)

    // the unit's staff log in to the console and find the code to hand to their people
    const staff = await open()
    await login(staff, base, 'lanhai_hr', 'Lanhai@2026')
    await staff.waitForURL(/#\/employer\/profile$/)
    await staff.locator('[data-test=employer-code]').getByText(code, { exact: true }).waitFor()
    for (const m of ['单位信息', '关联申请', '审核工作台']) await staff.locator('.el-menu').getByText(m, { exact: true }).waitFor()
    assert.equal(await staff.locator('.el-menu').getByText('单位注册审核').count(), 0)
    noProblems(staff)

    // 工作日历: a Monday of 2027 becomes a holiday on the grid and in the API
    await admin.goto(`${base}/console/#/admin/calendar?year=2027`)
    const day = admin.locator('[data-test="day-2027-03-01"]')
    await day.click()
    await admin.locator('[data-test=day-kind]').getByText('放假', { exact: true }).click()
    await admin.locator('[data-test=day-note]').fill('临时放假')
    await admin.locator('[data-test=day-save]').click()
    await admin.locator('[data-test="day-2027-03-01"].holiday').waitFor()
    const token = await admin.evaluate(() => localStorage.getItem('yck.token'))
    const cal = await api(base, token, 'GET', '/admin/calendar?year=2027')
    const d = cal.body.days.find((x) => x.date === '2027-03-01')
    assert.deepEqual([d.kind, d.working, d.source, d.note], ['holiday', false, 'admin', '临时放假'])
    await shot(admin, 'admin-calendar')
    noProblems(admin)
  })

  test('every console page of every role opens without a console error', async () => {
    const base = server.base
    const routes = {
      admin: ['/appointments', '/admin/cards', '/admin/accounts', '/admin/orgs', '/admin/services', '/admin/windows', '/admin/listings', '/admin/venues', '/admin/followups', '/admin/stats', '/admin/stats?tab=appointments', '/admin/stats?tab=overdue', '/admin/stats?tab=cards', '/admin/stats?tab=applications', '/admin/employers', '/admin/employers?status=all', '/admin/publicity', '/admin/calendar'],
      city_window: ['/appointments', '/followups'],
      city_reviewer: ['/review', '/review?status=handled', '/review/processed', '/admin/employers'],
      demo_employer: ['/employer/profile', '/employer/links', '/employer/links?status=all', '/review', '/review?status=handled'],
    }
    for (const [user, paths] of Object.entries(routes)) {
      const page = await open()
      await login(page, base, user)
      for (const p of paths) {
        await page.goto(`${base}/console/#${p}`)
        await page.locator('.page-card').first().waitFor()
        await page.waitForLoadState('networkidle')
        assert.equal(await page.locator('.el-message--error').count(), 0, `an error message on ${p} for ${user}: ${await page.locator('.el-message--error').allTextContents()}`)
      }
      noProblems(page)
      await page.context().close()
    }
  })

  test('each role lands on its own menu; the home screens at 1366×768', async () => {
    const base = server.base
    const homes = [
      ['admin', /#\/admin\/stats$/, ['卡片管理', '账号管理', '统计报表', '服务窗口']],
      ['city_window', /#\/appointments$/, ['综合查询', '好差评整改']],
      ['city_reviewer', /#\/review$/, ['审核工作台', '人才管理']],
      ['demo_employer', /#\/employer\/profile$/, ['单位信息', '关联申请', '审核工作台']],
    ]
    for (const [user, url, menus] of homes) {
      const page = await open()
      await login(page, base, user)
      await page.waitForURL(url)
      for (const m of menus) await page.locator('.el-menu').getByText(m, { exact: true }).waitFor()
      if (user !== 'admin') assert.equal(await page.locator('.el-menu').getByText('卡片管理').count(), 0)
      await page.locator('.page-card').first().waitFor()
      // the reviewer's queue is empty by now (李四's application was returned): show what was handled
      if (user === 'city_reviewer') await page.getByText('已处理', { exact: true }).click()
      await page.waitForLoadState('networkidle')
      await shot(page, `home-${user === 'demo_employer' ? 'employer' : user}`, { docs: true })
      noProblems(page)
      await page.context().close()
    }
  })
})
