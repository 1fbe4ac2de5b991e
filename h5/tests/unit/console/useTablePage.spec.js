// The admin table page's composable (useTablePage) and the one error-handling helper (attempt and
// its onError helpers), with Element Plus's messages and confirmations faked.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'

const { message, confirm } = vi.hoisted(() => ({ message: vi.fn(), confirm: vi.fn() }))
vi.mock('element-plus', () => ({ ElMessage: message, ElMessageBox: { confirm, prompt: vi.fn() } }))

const { attempt, refreshOnConflict } = await import('../../../console/src/composables/feedback')
const { useTablePage } = await import('../../../console/src/composables/useTablePage')

const said = () => message.mock.calls.map(([m]) => `${m.type}:${m.message}`)
const apiError = (code, text) => Object.assign(new Error(text), { code })

beforeEach(() => {
  message.mockReset()
  confirm.mockReset()
})

describe('attempt', () => {
  it('says ok (a text or a function of the value), keeps busy while running and resolves true', async () => {
    const busy = ref(false)
    let during
    const done = await attempt(
      async () => {
        during = busy.value
        return { date: '2026-10-01' }
      },
      { ok: (d) => `${d.date} 已保存`, busy },
    )
    expect(done).toBe(true)
    expect(during).toBe(true)
    expect(busy.value).toBe(false)
    expect(said()).toEqual(['success:2026-10-01 已保存'])
  })

  it('shows the error by default, or hands it to onError, and resolves false', async () => {
    const busy = ref(false)
    expect(await attempt(() => Promise.reject(apiError('X', '名称已存在')), { ok: '已保存', busy })).toBe(false)
    expect(busy.value).toBe(false)
    expect(said()).toEqual(['error:名称已存在'])

    const seen = []
    expect(await attempt(() => Promise.reject(apiError('X', '失败')), { onError: (e) => seen.push(e.code) })).toBe(false)
    expect(seen).toEqual(['X'])
    expect(said()).toHaveLength(1)
  })

  it('refreshOnConflict: a conflict is said with the note and refreshed; anything else only shown', async () => {
    const refresh = vi.fn()
    const onError = refreshOnConflict(refresh, { note: '（已刷新）', codes: ['VERSION_CONFLICT', 'INVALID_TRANSITION'] })
    await attempt(() => Promise.reject(apiError('INVALID_TRANSITION', '状态已变化')), { onError })
    expect(refresh).toHaveBeenCalledTimes(1)
    await attempt(() => Promise.reject(apiError('FORBIDDEN', '无权操作')), { onError })
    expect(refresh).toHaveBeenCalledTimes(1)
    expect(said()).toEqual(['error:状态已变化（已刷新）', 'error:无权操作'])
  })
})

/** Mount a page that uses useTablePage(options) under a memory router; resolves the page object. */
async function mountPage(options) {
  let page
  const Page = defineComponent({
    setup() {
      page = useTablePage(options)
      return () => h('div')
    },
  })
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:rest(.*)*', component: Page }] })
  router.push('/list')
  await router.isReady()
  const w = mount({ render: () => h(Page) }, { global: { plugins: [router] } })
  await flushPromises()
  return { page, w }
}

function services() {
  const rows = [{ id: '1', name: '子女入学', status: 'active', version: 3 }]
  const calls = []
  return {
    calls,
    fetch: vi.fn(async () => ({ items: rows, next_cursor: null })),
    create: vi.fn(async (body) => calls.push(['create', body])),
    update: vi.fn(async (row, body) => calls.push(['update', row.id, body])),
    rows,
  }
}

describe('useTablePage', () => {
  it('creates from a blank form, then closes the dialog and reloads the list', async () => {
    const s = services()
    const { page, w } = await mountPage({ ...s, filters: { status: '' }, blank: () => ({ name: '', status: 'active' }), toBody: (f) => ({ name: f.name.trim(), status: f.status }) })
    expect(s.fetch).toHaveBeenCalledTimes(1)
    page.form.name = 'stale'
    page.openCreate()
    expect(page.dialog.value).toBe(true)
    expect(page.editing.value).toBeNull()
    expect(page.form).toEqual({ name: '', status: 'active' })
    page.form.name = ' 人才公寓 '
    expect(await page.save()).toBe(true)
    await flushPromises()
    expect(s.calls).toEqual([['create', { name: '人才公寓', status: 'active' }]])
    expect(page.dialog.value).toBe(false)
    expect(page.saving.value).toBe(false)
    expect(s.fetch).toHaveBeenCalledTimes(2)
    expect(said()).toEqual(['success:已保存'])
    w.unmount()
  })

  it('edits the full record read for the row, sends save’s arguments to toBody and saved', async () => {
    const s = services()
    const read = vi.fn(async (row) => ({ ...row, body: '正文' }))
    const { page, w } = await mountPage({
      ...s,
      read,
      blank: () => ({ name: '', body: '', extra: 'kept' }),
      fromRow: (r) => ({ name: r.name, body: r.body }),
      toBody: (f, editing, status) => ({ name: f.name, body: f.body, status, version: editing.version }),
      saved: (status) => (status === 'draft' ? '已存为草稿' : '已发布'),
    })
    expect(await page.openEdit(s.rows[0])).toBe(true)
    expect(read).toHaveBeenCalledWith(s.rows[0])
    expect(page.form).toEqual({ name: '子女入学', body: '正文', extra: 'kept' })
    await page.save('draft')
    expect(s.calls).toEqual([['update', '1', { name: '子女入学', body: '正文', status: 'draft', version: 3 }]])
    expect(said()).toEqual(['success:已存为草稿'])
    w.unmount()
  })

  it('keeps the dialog open when a save fails, with the error shown or handed to onSaveError', async () => {
    const s = services()
    s.create.mockRejectedValueOnce(apiError('CONFLICT', '编码已存在'))
    const { page, w } = await mountPage({ ...s, blank: () => ({ name: '' }) })
    page.openCreate()
    expect(await page.save()).toBe(false)
    expect(page.dialog.value).toBe(true)
    expect(page.saving.value).toBe(false)
    expect(said()).toEqual(['error:编码已存在'])
    w.unmount()

    const t = services()
    t.update.mockRejectedValueOnce(apiError('VERSION_CONFLICT', '已被修改'))
    const seen = []
    const second = await mountPage({ ...t, onSaveError: (e, list) => seen.push([e.code, typeof list.reload]) })
    await second.page.openEdit(t.rows[0])
    expect(await second.page.save()).toBe(false)
    expect(seen).toEqual([['VERSION_CONFLICT', 'function']])
    second.w.unmount()
  })

  it('opens no dialog when the record cannot be read', async () => {
    const s = services()
    const { page, w } = await mountPage({ ...s, read: () => Promise.reject(apiError('NOT_FOUND', '窗口不存在')) })
    expect(await page.openEdit(s.rows[0])).toBe(false)
    expect(page.dialog.value).toBe(false)
    expect(said()).toEqual(['error:窗口不存在'])
    w.unmount()
  })

  it('row actions ask first where told; a refusal sends nothing, a success reloads', async () => {
    const s = services()
    const { page, w } = await mountPage(s)
    const run = vi.fn(async () => {})
    confirm.mockRejectedValueOnce('cancel')
    expect(await page.act(run, { confirm: '删除？', ok: '已删除' })).toBe(false)
    expect(run).not.toHaveBeenCalled()
    confirm.mockResolvedValueOnce('confirm')
    expect(await page.act(run, { confirm: '删除？', ok: '已删除' })).toBe(true)
    await flushPromises()
    expect(run).toHaveBeenCalledTimes(1)
    expect(s.fetch).toHaveBeenCalledTimes(2)
    expect(said()).toEqual(['success:已删除'])
    w.unmount()
  })

  it('toggle switches off to `off` after asking, and back on without asking', async () => {
    const s = services()
    const { page, w } = await mountPage(s)
    confirm.mockResolvedValueOnce('confirm')
    await page.toggle({ id: '1', status: 'active' }, { confirm: '停用？', off: 'disabled' })
    await page.toggle({ id: '2', status: 'disabled' }, { confirm: '停用？' })
    expect(confirm).toHaveBeenCalledTimes(1)
    expect(s.calls).toEqual([
      ['update', '1', { status: 'disabled' }],
      ['update', '2', { status: 'active' }],
    ])
    expect(said()).toEqual(['success:已停用', 'success:已启用'])
    w.unmount()
  })
})
