// The browser tests' harness: a real server (python -m server) on a fresh SQLite database serving
// the built h5/dist, and Debian's Chromium driven by playwright-core (never a downloaded browser).
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const SHOTS = join(ROOT, 'tests', 'e2e', 'screenshots')
// playwright-core is installed with the H5's dev dependencies
const require = createRequire(join(ROOT, 'h5', 'package.json'))

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** The Chromium to drive: CHROMIUM_PATH, else Debian's. */
export function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']
  return candidates.find((p) => p && existsSync(p)) || null
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolvePort(port))
    })
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Start `python -m server` on a fresh SQLite database and wait for /healthz. */
export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'yck-e2e-'))
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const venvPython = join(ROOT, '.venv', 'bin', 'python')
  const python = process.env.PYTHON || (existsSync(venvPython) ? venvPython : 'python3')
  const logs = []
  const child = spawn(python, ['-m', 'server'], {
    cwd: ROOT,
    env: {
      ...process.env,
      APP_ENV: 'dev',
      DATABASE_URL: `sqlite+aiosqlite:///${join(dir, 'e2e.db')}`,
      UPLOAD_DIR: join(dir, 'uploads'),
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_BASE_URL: base,
      LOG_JSON: '0',
      LOG_LEVEL: 'WARNING',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const keep = (chunk) => {
    logs.push(chunk.toString())
    if (logs.length > 400) logs.shift()
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  let exited = null
  child.on('exit', (code) => {
    exited = code
  })
  const deadline = Date.now() + 90_000
  for (;;) {
    if (exited !== null) throw new Error(`the server exited (${exited}):\n${logs.join('')}`)
    try {
      const r = await fetch(`${base}/healthz`)
      if (r.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM')
      throw new Error(`the server did not answer /healthz within 90 s:\n${logs.join('')}`)
    }
    await sleep(250)
  }
  return {
    base,
    logs,
    async stop() {
      if (exited === null) {
        child.kill('SIGTERM')
        for (let i = 0; i < 40 && exited === null; i++) await sleep(100)
        if (exited === null) child.kill('SIGKILL')
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export async function launchBrowser(executablePath) {
  const { chromium } = require('playwright-core')
  mkdirSync(SHOTS, { recursive: true })
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true })
}

/**
 * A phone-sized (or desktop) page that records console errors and uncaught exceptions.
 * A browser logs every 4xx answer as "Failed to load resource"; those are the API's expected
 * answers (NO_CARD, CARD_DISABLED …) shown in the page, so they are kept apart.
 */
export async function newPage(browser, { desktop = false, userAgent } = {}) {
  const context = await browser.newContext({
    viewport: desktop ? { width: 1280, height: 800 } : { width: 375, height: 667 },
    deviceScaleFactor: desktop ? 1 : 2,
    isMobile: !desktop,
    hasTouch: !desktop,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
    ...(userAgent ? { userAgent } : {}),
  })
  const page = await context.newPage()
  page.problems = []
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return
    const text = msg.text()
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return
    page.problems.push(`console.error: ${text}`)
  })
  page.on('pageerror', (err) => page.problems.push(`page error: ${err.message}`))
  return page
}

export async function shot(page, name) {
  // a passing toast (登录成功 …) would hide what the picture is for
  await page.locator('.van-toast').filter({ visible: true }).waitFor({ state: 'detached', timeout: 3000 }).catch(() => {})
  await page.waitForTimeout(350) // let Vant's transitions settle
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false })
}

/** The latest SMS code the console provider "sent" to a phone (dev only). */
export async function lastSmsCode(base, phone) {
  for (let i = 0; i < 20; i++) {
    const r = await fetch(`${base}/api/v1/dev/sms?phone=${phone}`)
    const body = await r.json()
    const item = (body.items || []).find((m) => m.params && m.params.code)
    if (item) return item.params.code
    await sleep(200)
  }
  throw new Error(`no SMS code for ${phone}`)
}

export async function loginBySms(page, base, phone) {
  await page.goto(`${base}/h5/`)
  await page.waitForURL(/#\/login/)
  await page.getByPlaceholder('请输入手机号').fill(phone)
  await page.getByRole('button', { name: '获取验证码' }).click()
  await page.getByText(/秒后重发/).waitFor() // the resend countdown started
  const code = await lastSmsCode(base, phone)
  await page.getByPlaceholder('6位验证码').fill(code)
  await page.getByRole('button', { name: '登录', exact: true }).click()
}

export async function loginAsStaff(page, base, username, password = 'Demo@12345') {
  await page.goto(`${base}/h5/#/login?tab=staff`)
  await page.getByPlaceholder('请输入账号').fill(username)
  await page.getByPlaceholder('请输入密码').fill(password)
  await page.getByRole('button', { name: '登录', exact: true }).click()
}

/** Pick a value in a Vant picker that a field opened. */
export async function pick(page, text) {
  const popup = page.locator('.van-popup:visible')
  await popup.locator('.van-picker-column__item', { hasText: text }).first().click()
  await page.waitForTimeout(400) // the column scrolls to the item
  await popup.locator('.van-picker__confirm').click()
}
