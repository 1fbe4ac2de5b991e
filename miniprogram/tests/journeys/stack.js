// The real backend for the journeys: a fake WeChat (python -m tests.fakes.wechat_server) and
// `python -m server` on a fresh SQLite database with the demo data (APP_ENV=dev), WeChat's API
// base pointed at the fake. Both on free loopback ports; both stopped after the file.
const { spawn } = require('child_process')
const fs = require('fs')
const net = require('net')
const os = require('os')
const path = require('path')
const { call } = require('../support/http-wx')

const ROOT = path.resolve(__dirname, '..', '..', '..')

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function python() {
  const venv = path.join(ROOT, '.venv', 'bin', 'python')
  return process.env.PYTHON || (fs.existsSync(venv) ? venv : 'python3')
}

function spawnLogged(args, env) {
  const logs = []
  const child = spawn(python(), args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const keep = (c) => {
    logs.push(c.toString())
    if (logs.length > 300) logs.shift()
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  child.exited = null
  child.on('exit', (code) => {
    child.exited = code
  })
  child.logs = logs
  return child
}

async function waitUntil(child, probe, what) {
  const deadline = Date.now() + 90000
  for (;;) {
    if (child.exited !== null) throw new Error(`${what} exited (${child.exited}):\n${child.logs.join('')}`)
    try {
      if (await probe()) return
    } catch (e) {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not start within 90 s:\n${child.logs.join('')}`)
    await sleep(200)
  }
}

async function stop(child) {
  if (!child || child.exited !== null) return
  child.kill('SIGTERM')
  for (let i = 0; i < 50 && child.exited === null; i++) await sleep(100)
  if (child.exited === null) child.kill('SIGKILL')
}

async function startStack() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yck-mp-'))
  const [wechatPort, port] = [await freePort(), await freePort()]
  const fakeBase = `http://127.0.0.1:${wechatPort}`
  const base = `http://127.0.0.1:${port}`
  const env = {
    ...process.env,
    APP_ENV: 'dev',
    DATABASE_URL: `sqlite+aiosqlite:///${path.join(dir, 'mp.db')}`,
    UPLOAD_DIR: path.join(dir, 'uploads'),
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: base,
    WECHAT_API_BASE: `${fakeBase}/`,
    WECHAT_OPEN_BASE: `${fakeBase}/`,
    LOG_JSON: '0',
    LOG_LEVEL: 'WARNING',
  }
  const wechat = spawnLogged(['-m', 'tests.fakes.wechat_server', '--port', String(wechatPort)], env)
  const server = spawnLogged(['-m', 'server'], env)
  try {
    await waitUntil(wechat, async () => (await call(fakeBase, 'GET', '/__fake__/subscribe-messages')).status === 200, 'the fake WeChat')
    await waitUntil(server, async () => (await call(base, 'GET', '/healthz')).status === 200, 'the server')
  } catch (e) {
    await stop(wechat)
    await stop(server)
    throw e
  }
  return {
    base,
    fakeBase,
    async stop() {
      await stop(server)
      await stop(wechat)
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

module.exports = { startStack, sleep }
