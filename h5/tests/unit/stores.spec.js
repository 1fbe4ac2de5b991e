import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('../../src/api/auth', () => ({
  smsLogin: vi.fn(async () => ({ token: 'tok-zs', expires_at: '', user: { id: '1', name: '张三', roles: ['holder'] } })),
  passwordLogin: vi.fn(async () => ({ token: 'tok-admin', user: { id: '11', name: '系统管理员', roles: ['admin'] } })),
  getMe: vi.fn(async () => ({ id: '1', name: '张三', roles: ['holder'], has_password: false })),
  logout: vi.fn(async () => null),
  exchangeOAuthTicket: vi.fn(),
  bindWechat: vi.fn(),
}))

const { client } = await import('../../src/api/client')
const authApi = await import('../../src/api/auth')
const { homeFor, useAuthStore } = await import('../../src/stores/auth')
const { useLiveStore } = await import('../../src/stores/live')

describe('auth store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    client.setToken('')
    vi.clearAllMocks()
  })

  it('logs in by SMS: keeps the token for the client and loads the profile', async () => {
    const auth = useAuthStore()
    await auth.loginBySms('13800000001', '123456')
    expect(authApi.smsLogin).toHaveBeenCalledWith('13800000001', '123456')
    expect(client.getToken()).toBe('tok-zs')
    expect(auth.loggedIn).toBe(true)
    expect(auth.user.has_password).toBe(false)
    expect(auth.homePath).toBe('/card')
  })

  it('logs out on the server and forgets the session even if that call fails', async () => {
    const auth = useAuthStore()
    await auth.loginBySms('13800000001', '123456')
    authApi.logout.mockRejectedValueOnce(new Error('offline'))
    await expect(auth.logout()).rejects.toThrow('offline')
    expect(auth.loggedIn).toBe(false)
    expect(client.getToken()).toBe('')
    expect(auth.user).toBeNull()
  })

  it('sends each role to its own home, the administrator first', () => {
    expect(homeFor(['holder'])).toBe('/card')
    expect(homeFor(['window_staff'])).toBe('/staff')
    expect(homeFor(['reviewer'])).toBe('/review')
    expect(homeFor(['venue_staff'])).toBe('/venue')
    expect(homeFor(['admin'])).toBe('/admin')
    expect(homeFor(['reviewer', 'window_staff'])).toBe('/staff')
    expect(homeFor([])).toBe('/login')
  })

  it('lists one workbench per role for a multi-role account', async () => {
    const auth = useAuthStore()
    auth.user = { roles: ['window_staff', 'reviewer'] }
    expect(auth.workbenches.map((w) => w.path)).toEqual(['/staff', '/review'])
    expect(auth.hasRole('reviewer')).toBe(true)
    expect(auth.hasRole('admin')).toBe(false)
  })
})

class FakeSocket {
  static last = null
  constructor(url) {
    this.url = url
    FakeSocket.last = this
  }
  close(code) {
    this.onclose && this.onclose({ code })
  }
}

describe('live store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.useFakeTimers()
  })

  it('connects with the token and hands events to the listeners of their prefix', () => {
    const live = useLiveStore()
    live.connect('tok 1', { WebSocketImpl: FakeSocket })
    const ws = FakeSocket.last
    expect(ws.url).toMatch(/\/api\/v1\/ws\?token=tok%201$/)
    ws.onopen()
    expect(live.connected).toBe(true)
    const seen = []
    const off = live.on('appointment.', (m) => seen.push(m.type))
    ws.onmessage({ data: JSON.stringify({ type: 'appointment.created', entity_id: '2' }) })
    ws.onmessage({ data: JSON.stringify({ type: 'card.status_changed' }) })
    ws.onmessage({ data: 'not json' })
    off()
    ws.onmessage({ data: JSON.stringify({ type: 'appointment.updated' }) })
    expect(seen).toEqual(['appointment.created'])
    live.disconnect()
  })

  it('reconnects after a drop and tells listeners to reload; a 4401 close ends the session instead', () => {
    const live = useLiveStore()
    const ended = vi.fn()
    live.connect('tok', { WebSocketImpl: FakeSocket, onSessionEnded: ended })
    const first = FakeSocket.last
    first.onopen()
    const events = []
    live.on('live.', (m) => events.push(m.type))
    first.onclose({ code: 1006 })
    expect(live.connected).toBe(false)
    vi.advanceTimersByTime(1500)
    const second = FakeSocket.last
    expect(second).not.toBe(first)
    second.onopen()
    expect(events).toEqual(['live.reconnected'])
    second.onclose({ code: 4401 })
    expect(ended).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(60000)
    expect(FakeSocket.last).toBe(second) // no retry with a dead session
  })
})
