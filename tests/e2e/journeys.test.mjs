// The H5 in a real Chromium against a real server: the journeys of issue 6.
// Run: node --test tests/e2e/  (make test runs it where a Chromium is found; REQUIRE_BROWSER=1 makes
// a missing browser a failure instead of a skip).
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  ROOT,
  findChromium,
  launchBrowser,
  loginAsStaff,
  loginBySms,
  newPage,
  pick,
  shot,
  startServer,
} from './harness.mjs'

const chromium = findChromium()
const built = existsSync(join(ROOT, 'h5', 'dist', 'index.html'))
let skip = false
if (!chromium) {
  const msg = 'no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)'
  if (process.env.REQUIRE_BROWSER === '1') throw new Error(`REQUIRE_BROWSER=1 but ${msg}`)
  console.log(`SKIPPED the H5 browser journeys: ${msg}`)
  skip = 'no Chromium'
}
if (!built) throw new Error('h5/dist is missing: run `make h5` first')

const LIVE = { timeout: 10_000 } // a push arrives within a second; allow for a slow CI machine

describe('H5 journeys', { skip, timeout: 240_000 }, () => {
  let server
  let browser
  const pages = []
  let holder // 张三's phone, open through every journey
  let clerk // wendeng_window on a desktop
  let venue // airport_staff's phone
  let freshToken // a QR token issued before the card is disabled

  const open = async (opts) => {
    const p = await newPage(browser, opts)
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

  test('张三 logs in by SMS and books; wendeng_window sees it arrive live and accepts; 张三 sees it', async () => {
    const base = server.base
    clerk = await open({ desktop: true })
    await loginAsStaff(clerk, base, 'wendeng_window')
    await clerk.waitForURL(/#\/staff$/)
    await clerk.getByText('● 实时').waitFor(LIVE) // the clerk's live connection is up before the booking
    await clerk.getByText('暂无待办事项').waitFor()

    holder = await open()
    await loginBySms(holder, base, '13800000001')
    await holder.waitForURL(/#\/card$/)
    await holder.locator('[data-test=card-qr] canvas').waitFor()
    await shot(holder, '01-holder-card')

    await holder.getByText('绿色通道', { exact: true }).click()
    await holder.getByText('配偶就业').click()
    await holder.locator('[data-test=book]').click()
    await holder.getByPlaceholder('请选择区市').click()
    await pick(holder, '文登区')
    await holder.getByText('文登区人才服务窗口').waitFor()
    await holder.getByPlaceholder('请描述您需要办理的事项').fill('爱人随迁来威，希望推荐文登区内的企业技术岗位。')
    await shot(holder, '02-holder-book')
    await holder.locator('[data-test=submit-booking]').click()
    await holder.locator('.van-dialog__confirm').click() // 确认提交预约
    await holder.waitForURL(/#\/appointments\/\d+$/)
    const apptId = holder.url().match(/appointments\/(\d+)$/)[1]
    await assertText(holder.locator('[data-test=appointment-status]'), '待受理')
    await shot(holder, '03-holder-appointment-submitted')

    // no reload on the clerk's side: the WebSocket brings it
    const item = clerk.locator(`[data-test=staff-appointment-${apptId}]`)
    await item.waitFor(LIVE)
    await shot(clerk, '04-clerk-todo-live')
    await item.click()
    await clerk.waitForURL(new RegExp(`#/staff/appointments/${apptId}$`))
    await clerk.locator('[data-test=action-accept]').click()
    await clerk.locator('[data-test=opinion] textarea').fill('材料齐全，予以受理，将与区人才市场对接岗位。')
    await shot(clerk, '05-clerk-accept')
    await clerk.locator('[data-test=confirm-action]').click()
    await assertText(clerk.locator('[data-test=staff-status]'), '待预审')

    // and the holder's open page follows, again without a reload
    await assertText(holder.locator('[data-test=appointment-status]'), '待预审', LIVE)
    await holder.getByText('材料齐全，予以受理').waitFor()
    await shot(holder, '06-holder-appointment-accepted')
  })

  test('airport_staff verifies 张三’s QR token and sees the green verdict', async () => {
    await holder.evaluate(() => {
      location.hash = '#/card'
    })
    await holder.waitForURL(/#\/card$/)
    const token = await currentToken(holder)

    venue = await open()
    await loginAsStaff(venue, server.base, 'airport_staff')
    await venue.waitForURL(/#\/venue$/)
    await venue.locator('[data-test=scan-code-input] input').fill(token)
    await venue.locator('[data-test=scan-code-submit]').click()
    const verdict = venue.locator('[data-test=scan-verdict]')
    await verdict.waitFor()
    assert.equal(await verdict.getAttribute('data-verdict'), 'ok')
    await assertText(venue.locator('[data-test=scan-message]'), '核验通过')
    await venue.locator('[data-test=scan-verdict] [data-test=auth-image]').waitFor() // the holder's photo
    const green = await verdict.evaluate((el) => getComputedStyle(el).backgroundColor)
    assert.equal(green, 'rgb(7, 163, 90)')
    await venue.locator('[data-test=visits]').getByText('通过').waitFor()
    await shot(venue, '07-venue-scan-ok')
  })

  test('张三 scans the hospital’s poster: a success screen with a live clock, his photo and a check code', async () => {
    const adminToken = await apiLogin(server.base, 'admin')
    const venues = await (await fetch(`${server.base}/api/v1/admin/venues`, { headers: { Authorization: `Bearer ${adminToken}` } })).json()
    const hospital = venues.items.find((v) => v.name === '威海市立医院')
    // what WeChat's scanner opens: the poster's URL, straight into the H5
    await holder.goto(hospital.checkin_url)
    const verdict = holder.locator('[data-test=checkin-verdict]')
    await verdict.waitFor()
    assert.equal(await verdict.getAttribute('data-verdict'), 'ok')
    await holder.locator('[data-test=checkin-verdict] + [data-test=live-clock]').waitFor()
    const code = (await holder.locator('[data-test=check-code]').textContent()).trim()
    assert.match(code, /^\w{3,8}$/)
    await holder.locator('[data-test=auth-image]').waitFor()
    const clock = holder.locator('[data-test=live-clock]')
    const t0 = await clock.textContent()
    await holder.waitForFunction((t) => document.querySelector('[data-test=live-clock]').textContent !== t, t0)
    await shot(holder, '07b-holder-checkin')
  })

  test('the administrator disables 张三’s card: his card page shows it at once and a scan is red', async () => {
    await holder.evaluate(() => {
      location.hash = '#/card'
    })
    // a fresh, unused token from before the change
    const used = await currentToken(holder)
    await holder.getByRole('button', { name: '刷新' }).click()
    await holder.waitForFunction(
      (old) => document.querySelector('[data-test=card-qr] canvas')?.dataset.token !== old,
      used,
    )
    freshToken = await currentToken(holder)

    const admin = await open({ desktop: true })
    await loginAsStaff(admin, server.base, 'admin')
    await admin.waitForURL(/#\/admin$/)
    await admin.locator('[data-test=admin-cards]').click()
    const card = admin.locator('[data-test=card-WH202400000001]')
    await card.locator('[data-test=disable-card]').click()
    await admin.locator('[data-test=disable-reason] textarea').fill('持卡人已调离本市')
    await shot(admin, '08-admin-disable')
    await admin.getByRole('button', { name: '确认停用' }).click()
    await card.getByText('已停用').first().waitFor()
    await card.getByText('持卡人已调离本市').waitFor()
    await shot(admin, '09-admin-disabled')

    // 张三's page was open all along: the push turns it grey with the reason, no QR any more
    await holder.locator('[data-test=card-stopped]').waitFor(LIVE)
    assert.equal(await holder.locator('[data-test=card-status]').getAttribute('data-status'), 'disabled')
    assert.equal(await holder.locator('[data-test=card-qr]').count(), 0)
    await holder.getByText('停用原因：持卡人已调离本市').waitFor()
    await shot(holder, '10-holder-card-disabled')

    await venue.locator('[data-test=scan-code-input] input').fill(freshToken)
    await venue.locator('[data-test=scan-code-submit]').click()
    const verdict = venue.locator('[data-test=scan-verdict][data-verdict=card_disabled]')
    await verdict.waitFor()
    await verdict.getByText('核验未通过').waitFor()
    const red = await verdict.evaluate((el) => getComputedStyle(el).backgroundColor)
    assert.equal(red, 'rgb(212, 56, 13)')
    await shot(venue, '11-venue-scan-disabled')
  })

  test('李四 submits his draft and follows its progress as the reviewer approves', async () => {
    const li = await open()
    await loginBySms(li, server.base, '13800000002')
    await li.waitForURL(/#\/card$/)
    await li.locator('[data-test=no-card]').waitFor()
    await li.getByRole('button', { name: '申领英才卡' }).click()
    await li.locator('[data-test=application-1]').click()
    await li.waitForURL(/#\/applications\/1$/)
    await assertText(li.locator('[data-test=application-status]'), '草稿')
    await li.getByRole('button', { name: '继续填写' }).click()
    await li.waitForURL(/#\/applications\/1\/edit$/)
    await li.getByPlaceholder('与证件一致').waitFor()
    await shot(li, '12a-li-form-personal')
    for (let i = 0; i < 4; i++) {
      await li.getByRole('button', { name: '下一步' }).click()
      await li.waitForTimeout(300)
    }
    await li.locator('[data-test=preview]').getByText('威海市乡村之星').waitFor()
    await shot(li, '12-li-preview')
    await li.locator('[data-test=submit-application]').click()
    await li.locator('.van-dialog__confirm').click() // 确认提交申请
    await li.waitForURL(/#\/applications\/1$/)
    await assertText(li.locator('[data-test=application-status]'), '正在审批')
    await li.locator('[data-test=acceptance-no]').getByText(/RC\d{17}/).waitFor()
    await li.locator('[data-test=stages]').getByText('威海市农业农村局').waitFor()
    await shot(li, '13-li-progress-submitted')

    const reviewer = await open({ desktop: true })
    await loginAsStaff(reviewer, server.base, 'agri_reviewer')
    await reviewer.waitForURL(/#\/review$/)
    await reviewer.locator('[data-test=review-1]').click()
    await reviewer.locator('[data-test=review-approve]').click()
    await reviewer.locator('[data-test=review-opinion] textarea').fill('荣誉称号属实，同意推荐。')
    await shot(reviewer, '14-reviewer-approve')
    await reviewer.locator('[data-test=review-confirm]').click()
    await reviewer.getByText('意见：荣誉称号属实，同意推荐。').waitFor()

    // 李四's page moves on by itself: the first stage done with the opinion, the next one current
    await li.getByText('意见：荣誉称号属实，同意推荐。').waitFor(LIVE)
    await li.locator('[data-test=stages] .state.current').getByText('办理中').waitFor()
    await shot(li, '15-li-progress-approved')
  })

  test('the other screens render (a smoke tour, with pictures)', async () => {
    const guest = await open()
    await guest.goto(`${server.base}/h5/#/login`)
    await guest.getByText('短信验证码登录').waitFor()
    await shot(guest, '20-login')
    await guest.goto(`${server.base}/h5/#/listings`) // not logged in: back to login, keeping the target
    await guest.waitForURL(/#\/login\?redirect=/)

    // inside WeChat the login page offers OAuth: the browser goes to the server, which sends it on to WeChat
    const wx = await open({
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.50',
    })
    let authorize = null
    await wx.route(
      (url) => url.hostname === 'open.weixin.qq.com',
      (route) => {
        authorize = new URL(route.request().url())
        route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: '<p>微信授权页</p>' })
      },
    )
    await wx.goto(`${server.base}/h5/#/login`)
    await shot(wx, '20b-login-in-wechat')
    await wx.getByRole('button', { name: '微信授权登录' }).click()
    await wx.getByText('微信授权页').waitFor()
    assert.ok(authorize.searchParams.get('state'), 'a state bound to this browser')
    assert.match(authorize.searchParams.get('redirect_uri'), /\/api\/v1\/auth\/wechat\/oauth\/callback/)
    // a stale or forged login ticket ends on a clear message, never a blank page
    await wx.goto(`${server.base}/h5/#/oauth-done?login_ticket=forged`)
    await wx.getByRole('button', { name: '返回登录' }).waitFor()

    const zs = holder
    for (const [hash, text, name] of [
      ['#/services', '子女入学', '21-services'],
      ['#/windows', '文登区人才服务窗口', '22-windows'],
      ['#/listings', '通报公告', '23-listings'],
      ['#/appointments', '配偶就业', '24-my-appointments'],
      ['#/appointments/1', '服务评价', '25-appointment-rating'],
      ['#/mine', '退出登录', '26-mine'],
      ['#/scan', '英才卡引导图', '27-scan-venue'],
    ]) {
      await zs.evaluate((h) => {
        location.hash = h
      }, hash)
      await zs.getByText(text).first().waitFor()
      await shot(zs, name)
    }

    // 张三 rates his completed appointment: four stars and a word
    await zs.evaluate(() => {
      location.hash = '#/appointments/1'
    })
    const rating = zs.locator('[data-test=rating]')
    await rating.locator('.van-rate__item').nth(3).click()
    await rating.getByPlaceholder('说说您的办理体验（选填）').fill('窗口服务热情，办理很快。')
    await rating.getByRole('button', { name: '提交评价' }).click()
    await rating.getByText('我的评价').waitFor()
    assert.equal(await rating.locator('.van-rate__item .van-rate__icon--full').count(), 4)
    await shot(zs, '25b-appointment-rated')

    const admin = await open({ desktop: true })
    await loginAsStaff(admin, server.base, 'admin')
    await admin.waitForURL(/#\/admin$/)
    await admin.goto(`${server.base}/h5/#/admin/venues`)
    await admin.locator('[data-test=poster-1]').click()
    await admin.locator('[data-test=poster-image]').waitFor()
    const loaded = await admin.locator('[data-test=poster-image]').evaluate((img) => img.complete && img.naturalWidth > 0)
    assert.ok(loaded, 'the poster PNG is shown')
    await shot(admin, '28-admin-poster')
    await admin.goto(`${server.base}/h5/#/staff/query`)
    await admin.getByText('配偶就业').first().waitFor()
    await shot(admin, '29-admin-query')
    // exports carry the token: fetch → Blob → a link the browser downloads
    const [download] = await Promise.all([admin.waitForEvent('download'), admin.locator('[data-test=export]').click()])
    assert.match(download.suggestedFilename(), /^综合查询_\d{4}-\d{2}-\d{2}\.xlsx$/)
    const path = await download.path()
    const { statSync, readFileSync } = await import('node:fs')
    assert.ok(statSync(path).size > 1000)
    assert.equal(readFileSync(path).subarray(0, 2).toString(), 'PK') // an .xlsx is a zip
  })

  test('no page logged a console error or an uncaught exception', () => {
    const problems = pages.flatMap((p) => p.problems)
    assert.deepEqual(problems, [])
  })
})

async function apiLogin(base, username) {
  const r = await fetch(`${base}/api/v1/auth/password/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: 'Demo@12345' }),
  })
  assert.equal(r.status, 200)
  return (await r.json()).token
}

async function assertText(locator, text, opts = {}) {
  await locator.getByText(text).or(locator.filter({ hasText: text })).first().waitFor(opts)
}

/** The token the holder's QR code shows now. */
async function currentToken(page) {
  const canvas = page.locator('[data-test=card-qr] canvas')
  await canvas.waitFor()
  const token = await canvas.getAttribute('data-token')
  assert.match(token, /^Q1\./)
  return token
}
