import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { h, nextTick } from 'vue'

vi.mock('vant', async (importOriginal) => ({
  ...(await importOriginal()),
  showFailToast: vi.fn(),
  showSuccessToast: vi.fn(),
  showConfirmDialog: vi.fn(),
}))

const { showConfirmDialog, showFailToast, showSuccessToast } = await import('vant')
const { useAction } = await import('../../src/composables/useAction')
const { usePagedList } = await import('../../src/composables/usePagedList')
const PagedList = (await import('../../src/components/PagedList.vue')).default

afterEach(() => vi.clearAllMocks())

function apiError(message, extra = {}) {
  return Object.assign(new Error(message), { status: 409, ...extra })
}

describe('useAction', () => {
  it('is busy while the action runs, toasts its success, then goes on', async () => {
    const { busy, act } = useAction()
    let finish
    const then = vi.fn()
    const done = act(() => new Promise((r) => (finish = r)), { success: (r) => `已完成 ${r.id}`, then })
    expect(busy.value).toBe(true)
    finish({ id: 7 })
    expect(await done).toEqual({ id: 7 })
    expect(busy.value).toBe(false)
    expect(showSuccessToast).toHaveBeenCalledWith('已完成 7')
    expect(then).toHaveBeenCalledWith({ id: 7 })
    expect(showFailToast).not.toHaveBeenCalled()
  })

  it('holds the key given while it runs (the row whose button spins)', async () => {
    const { busy, act } = useAction()
    let finish
    const done = act(() => new Promise((r) => (finish = r)), { key: 'WH1' })
    expect(busy.value).toBe('WH1')
    finish()
    await done
    expect(busy.value).toBe(false)
  })

  it('shows an error once, never rejects, and calls onError and onConflict', async () => {
    const { busy, act } = useAction()
    const onError = vi.fn()
    const onConflict = vi.fn()
    const then = vi.fn()
    const e = apiError('已被他人修改', { code: 'VERSION_CONFLICT' })
    const result = await act(() => Promise.reject(e), { success: '不应出现', then, onError, onConflict })
    expect(result).toBeUndefined()
    expect(busy.value).toBe(false)
    expect(showFailToast).toHaveBeenCalledTimes(1)
    expect(showFailToast).toHaveBeenCalledWith(expect.objectContaining({ message: '已被他人修改' }))
    expect(showSuccessToast).not.toHaveBeenCalled()
    expect(then).not.toHaveBeenCalled()
    expect(onError).toHaveBeenCalledWith(e)
    expect(onConflict).toHaveBeenCalledWith(e)
  })

  it('calls onConflict only for a version conflict', async () => {
    const { act } = useAction()
    const onConflict = vi.fn()
    await act(() => Promise.reject(apiError('不可操作', { code: 'INVALID_STATE' })), { onConflict })
    expect(onConflict).not.toHaveBeenCalled()
  })

  it('says nothing more about a 401 (the client sends the user to the login page)', async () => {
    const { act } = useAction()
    await act(() => Promise.reject(apiError('请先登录', { status: 401 })))
    expect(showFailToast).not.toHaveBeenCalled()
  })

  it('asks first when told to, and does nothing when declined', async () => {
    const { busy, act } = useAction()
    const fn = vi.fn(async () => 'ok')
    showConfirmDialog.mockRejectedValueOnce('cancel')
    expect(await act(fn, { confirm: { title: '取消预约', message: '确定？' } })).toBeUndefined()
    expect(fn).not.toHaveBeenCalled()
    expect(busy.value).toBe(false)

    showConfirmDialog.mockResolvedValueOnce('confirm')
    expect(await act(fn, { confirm: { title: '取消预约', message: '确定？' }, success: '预约已取消' })).toBe('ok')
    expect(showConfirmDialog).toHaveBeenLastCalledWith({ title: '取消预约', message: '确定？' })
    expect(fn).toHaveBeenCalledTimes(1)
    expect(showSuccessToast).toHaveBeenCalledWith('预约已取消')
  })
})

function pages(...list) {
  const fetchPage = vi.fn()
  for (const p of list) fetchPage.mockImplementationOnce(p instanceof Error ? () => Promise.reject(p) : async () => p)
  return fetchPage
}

describe('usePagedList', () => {
  it('appends page after page with the cursor the server gave, until there is none', async () => {
    const fetchPage = pages({ items: [1, 2], next_cursor: 'c2' }, { items: [3], next_cursor: null })
    const list = usePagedList(fetchPage, { limit: 2 })
    await list.reload()
    expect(fetchPage).toHaveBeenLastCalledWith({ cursor: null, limit: 2 })
    expect(list.items).toEqual([1, 2])
    expect(list.finished).toBe(false)
    await list.more()
    expect(fetchPage).toHaveBeenLastCalledWith({ cursor: 'c2', limit: 2 })
    expect(list.items).toEqual([1, 2, 3])
    expect(list.finished).toBe(true)
    expect(list.loading).toBe(false)
  })

  it('starts again from the first page on reload (a new filter)', async () => {
    const fetchPage = pages({ items: [1], next_cursor: 'c2' }, { items: [9], next_cursor: null })
    const list = usePagedList(fetchPage)
    await list.reload()
    await list.reload()
    expect(fetchPage).toHaveBeenLastCalledWith({ cursor: null, limit: 20 })
    expect(list.items).toEqual([9])
    expect(list.finished).toBe(true)
  })

  it('marks a failed page and shows the error once; a reload clears it', async () => {
    const fetchPage = pages(apiError('服务繁忙'), { items: [1], next_cursor: null })
    const list = usePagedList(fetchPage)
    await list.reload()
    expect(list.failed).toBe(true)
    expect(list.loading).toBe(false)
    expect(showFailToast).toHaveBeenCalledTimes(1)
    await list.reload()
    expect(list.failed).toBe(false)
    expect(list.items).toEqual([1])
  })

  it('drops a page that answers after a reload began', async () => {
    let slow
    const fetchPage = vi.fn()
    fetchPage.mockImplementationOnce(() => new Promise((r) => (slow = r)))
    fetchPage.mockImplementationOnce(async () => ({ items: ['new'], next_cursor: null }))
    const list = usePagedList(fetchPage)
    const first = list.reload()
    await list.reload()
    slow({ items: ['old'], next_cursor: 'c2' })
    await first
    expect(list.items).toEqual(['new'])
    expect(list.finished).toBe(true)
  })
})

describe('PagedList', () => {
  function mountList(list, slot = ({ items }) => items.map((i) => h('p', { class: 'row' }, i))) {
    return mount(PagedList, { props: { list, emptyText: '没有符合条件的英才卡' }, slots: { default: slot } })
  }

  it('shows the items, then says the end', async () => {
    const list = usePagedList(pages({ items: ['甲', '乙'], next_cursor: null }))
    const w = mountList(list)
    await list.reload()
    await nextTick()
    expect(w.findAll('.row').map((r) => r.text())).toEqual(['甲', '乙'])
    expect(w.text()).toContain('没有更多了')
    expect(w.text()).not.toContain('没有符合条件的英才卡')
  })

  it('shows the empty text for a finished list without items', async () => {
    const list = usePagedList(pages({ items: [], next_cursor: null }))
    const w = mountList(list)
    await list.reload()
    await nextTick()
    expect(w.text()).toContain('没有符合条件的英才卡')
  })

  it('offers a retry after a failed page, which asks again', async () => {
    const fetchPage = pages(apiError('服务繁忙'), { items: ['甲'], next_cursor: null })
    const list = usePagedList(fetchPage)
    const w = mountList(list)
    await list.reload()
    await nextTick()
    const retry = w.find('.van-list__error-text')
    expect(retry.text()).toBe('加载失败，点击重试')
    await retry.trigger('click')
    await flushPromises()
    expect(fetchPage).toHaveBeenCalledTimes(2)
    expect(w.findAll('.row').map((r) => r.text())).toEqual(['甲'])
  })
})

describe('useAction errorMessage', () => {
  it("shows the message made from the error (a field's words) instead of its own", async () => {
    const { act } = useAction()
    const e = apiError('请求参数不正确', { status: 400, details: { fields: { name: '请填写单位名称' } } })
    await act(() => Promise.reject(e), { errorMessage: (err) => err.details.fields.name })
    expect(showFailToast).toHaveBeenCalledTimes(1)
    expect(showFailToast).toHaveBeenCalledWith(expect.objectContaining({ message: '请填写单位名称' }))
  })
})
