// The screens added for employers, 公示 and the working-day calendar: menus, the registrations'
// actions (against the real API client with fetch faked), the calendar's month grids.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { h } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import ElementPlus from 'element-plus'
import Employers from '../../../console/src/pages/admin/Employers.vue'
import { allowed, consoleHome, menuFor } from '../../../console/src/menus'
import { employerActions } from '../../../console/src/employers'
import { dayClass, monthCounts, monthGrid } from '../../../console/src/calendar'
import { client } from '../../../src/api/client'

const paths = (roles) => menuFor(roles).flatMap((g) => g.items.map((i) => i.path))

describe('menus of the new screens', () => {
  it('gives employer staff their unit, their link requests and the review workbench, and lands them on the unit', () => {
    expect(paths(['employer'])).toEqual(['/employer/profile', '/employer/links', '/review'])
    expect(consoleHome(['employer'])).toBe('/employer/profile')
    expect(paths(['employer'])).not.toContain('/review/processed') // the API's 人才管理 is the reviewers' only
    expect(allowed(['employer'], ['reviewer', 'employer'])).toBe(true)
    expect(allowed(['employer'], ['admin'])).toBe(false)
  })
  it('gives administrators registrations, 公示 and the calendar, and reviewers the registrations only', () => {
    for (const p of ['/admin/employers', '/admin/publicity', '/admin/calendar']) expect(paths(['admin'])).toContain(p)
    expect(paths(['reviewer'])).toContain('/admin/employers')
    expect(paths(['reviewer'])).not.toContain('/admin/calendar')
    expect(paths(['holder'])).toEqual([])
  })
  it('shows an entry once to an account that is both administrator and reviewer', () => {
    const all = paths(['admin', 'reviewer'])
    expect(all.filter((p) => p === '/admin/employers')).toHaveLength(1)
    expect(all).toContain('/review')
  })
})

describe('registration actions by status (the API’s transitions)', () => {
  it('offers approve/reject while pending, disable when active, restore when disabled, nothing when rejected', () => {
    const names = (s) => employerActions(s).map((a) => a.action)
    expect(names('pending')).toEqual(['approve', 'reject'])
    expect(names('active')).toEqual(['disable'])
    expect(names('disabled')).toEqual(['approve'])
    expect(names('rejected')).toEqual([])
    expect(names('bogus')).toEqual([])
  })
})

const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
const ROWS = [
  { id: '31', name: '威海新材料有限公司', credit_code: '91371000MA3C000001', district: '环翠区', is_city_level: false, association_code: null, contact_name: '王敏', contact_phone_masked: '139****0001', status: 'pending', created_at: '2026-11-29T10:00:00+08:00' },
  { id: '30', name: '威海某科技有限公司', credit_code: '91371000MA3C000002', district: '环翠区', is_city_level: true, association_code: 'WHKJ2026', contact_name: '李华', contact_phone_masked: '139****0002', status: 'active', created_at: '2026-11-20T10:00:00+08:00' },
]

describe('单位注册审核 page', () => {
  let calls
  beforeEach(() => {
    setActivePinia(createPinia())
    client.setToken('t')
    calls = []
    vi.stubGlobal('fetch', async (url, init) => {
      calls.push({ url: String(url), method: init.method, body: init.body ? JSON.parse(init.body) : null })
      if (String(url).includes('/admin/employers?') || String(url).endsWith('/admin/employers')) return json(200, { items: ROWS, next_cursor: null })
      const m = /\/admin\/employers\/(\d+)\/actions$/.exec(String(url))
      if (m) {
        const b = JSON.parse(init.body)
        if (b.action === 'reject' && !b.opinion) return json(400, { error: { code: 'INVALID_REQUEST', message: '退回时请填写审核意见' } })
        return json(200, { ...ROWS.find((r) => r.id === m[1]), status: b.action === 'approve' ? 'active' : 'rejected', association_code: 'NEWCODE1' })
      }
      return json(404, { error: { code: 'NOT_FOUND', message: '接口不存在' } })
    })
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  async function mountPage(query = '') {
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/admin/employers', component: Employers }, { path: '/:r(.*)*', component: { render: () => h('div') } }] })
    router.push(`/admin/employers${query}`)
    await router.isReady()
    const w = mount(Employers, { global: { plugins: [ElementPlus, router] }, attachTo: document.body })
    await flushPromises()
    return w
  }
  const box = () => document.querySelector('.el-message-box')
  async function until(fn) {
    for (let i = 0; i < 50 && !fn(); i++) await new Promise((r) => setTimeout(r, 20))
    return fn()
  }

  it('lists the pending ones by default, shows the 关联代码 and each row’s own actions', async () => {
    const w = await mountPage()
    expect(calls[0].url).toMatch(/\/admin\/employers\?status=pending/)
    expect(w.text()).toContain('WHKJ2026')
    const rows = w.findAll('.el-table__body-wrapper tr.el-table__row')
    expect(rows).toHaveLength(2)
    expect(rows[0].find('[data-test=employer-approve]').exists()).toBe(true)
    expect(rows[0].find('[data-test=employer-reject]').exists()).toBe(true)
    expect(rows[0].find('[data-test=employer-disable]').exists()).toBe(false)
    expect(rows[1].find('[data-test=employer-disable]').exists()).toBe(true)
    expect(rows[1].find('[data-test=employer-approve]').exists()).toBe(false)
    w.unmount()
  })

  it('asks for all statuses without a status filter', async () => {
    const w = await mountPage('?status=all')
    expect(calls[0].url).not.toMatch(/status=/)
    w.unmount()
  })

  it('approves only after the confirmation, and sends nothing when cancelled', async () => {
    const w = await mountPage()
    const row = () => w.findAll('.el-table__body-wrapper tr.el-table__row')[0]
    await row().find('[data-test=employer-approve]').trigger('click')
    expect(await until(box)).toBeTruthy()
    expect(box().textContent).toContain('威海新材料有限公司')
    ;[...box().querySelectorAll('button')].find((b) => b.textContent.trim() === '取消').click()
    await until(() => !document.querySelector('.el-message-box') || document.querySelector('.el-overlay-message-box[style*="display: none"]'))
    await flushPromises()
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0)

    document.body.querySelectorAll('.el-overlay').forEach((n) => n.remove())
    await row().find('[data-test=employer-approve]').trigger('click')
    await until(box)
    ;[...box().querySelectorAll('button')].find((b) => b.textContent.trim() === '确定').click()
    await until(() => calls.some((c) => c.method === 'POST'))
    const post = calls.find((c) => c.method === 'POST')
    expect(post.url).toMatch(/\/admin\/employers\/31\/actions$/)
    expect(post.body).toEqual({ action: 'approve', opinion: '' })
    w.unmount()
  })

  it('rejects with the opinion typed in the dialog', async () => {
    const w = await mountPage()
    await w.findAll('.el-table__body-wrapper tr.el-table__row')[0].find('[data-test=employer-reject]').trigger('click')
    await until(() => box() && box().querySelector('textarea'))
    const ta = box().querySelector('textarea')
    ta.value = '营业执照信息与信用代码不一致'
    ta.dispatchEvent(new Event('input'))
    await flushPromises()
    ;[...box().querySelectorAll('button')].find((b) => b.textContent.trim() === '确定').click()
    await until(() => calls.some((c) => c.method === 'POST'))
    expect(calls.find((c) => c.method === 'POST').body).toEqual({ action: 'reject', opinion: '营业执照信息与信用代码不一致' })
    w.unmount()
  })
})

/** A year's days the way GET /admin/calendar answers them (weekday rule, plus the given kinds). */
function yearDays(year, kinds = {}) {
  const out = []
  for (let d = new Date(Date.UTC(year, 0, 1)); d.getUTCFullYear() === year; d.setUTCDate(d.getUTCDate() + 1)) {
    const date = d.toISOString().slice(0, 10)
    const wd = (d.getUTCDay() + 6) % 7
    const kind = kinds[date] || 'normal'
    out.push({ date, weekday: '周' + '一二三四五六日'[wd], kind, working: kind === 'holiday' ? false : kind === 'workday' || wd < 5, source: kinds[date] ? 'admin' : 'weekday', note: null })
  }
  return out
}

describe('calendar month grids', () => {
  const days = yearDays(2026, { '2026-02-16': 'holiday', '2026-02-14': 'workday' })
  it('lays a month out in Monday-first weeks with blanks around it', () => {
    const feb = monthGrid(days, 2) // 2026-02-01 is a Sunday
    expect(feb[0].slice(0, 6)).toEqual([null, null, null, null, null, null])
    expect(feb[0][6].date).toBe('2026-02-01')
    expect(feb.every((w) => w.length === 7)).toBe(true)
    expect(feb.flat().filter(Boolean)).toHaveLength(28)
    expect(feb[feb.length - 1].filter(Boolean).pop().date).toBe('2026-02-28')
    const jan = monthGrid(days, 1) // 2026-01-01 is a Thursday
    expect(jan[0].slice(0, 3)).toEqual([null, null, null])
    expect(jan[0][3].date).toBe('2026-01-01')
  })
  it('marks holidays, weekends and 调休 working Saturdays, and counts the working days', () => {
    const byDate = Object.fromEntries(days.map((d) => [d.date, d]))
    expect(dayClass(byDate['2026-02-16'])).toBe('holiday')
    expect(dayClass(byDate['2026-02-14'])).toBe('workday')
    expect(dayClass(byDate['2026-02-15'])).toBe('rest')
    expect(dayClass(byDate['2026-02-17'])).toBe('work')
    expect(dayClass(null)).toBe('empty')
    // February 2026: 20 weekdays, one of them a holiday, one Saturday worked
    expect(monthCounts(days, 2)).toEqual({ working: 20, rest: 8 })
  })
})
