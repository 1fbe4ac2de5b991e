import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import { createPinia } from 'pinia'

vi.mock('../../src/api/employers', () => ({
  getMyEmployerLink: vi.fn(),
  lookupEmployer: vi.fn(),
  requestEmployerLink: vi.fn(),
  cancelEmployerLink: vi.fn(),
}))
vi.mock('vant', async (orig) => ({ ...(await orig()), showConfirmDialog: vi.fn(async () => undefined) }))

const api = await import('../../src/api/employers')
const { homeFor } = await import('../../src/stores/auth')
const EmployerLink = (await import('../../src/pages/holder/EmployerLink.vue')).default

function mountPage() {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { render: () => null } }] })
  return mount(EmployerLink, { global: { plugins: [router, createPinia()] } })
}

afterEach(() => vi.clearAllMocks())

describe('关联单位', () => {
  it('looks the code up, shows the employer, asks to link, then shows the pending state', async () => {
    api.getMyEmployerLink.mockResolvedValueOnce({ link: null })
    api.lookupEmployer.mockResolvedValue({ id: '19', name: '威海某科技有限公司' })
    api.requestEmployerLink.mockResolvedValue({ status: 'pending', employer: { id: '19', name: '威海某科技有限公司' } })
    api.getMyEmployerLink.mockResolvedValueOnce({
      link: { id: '1', status: 'pending', status_name: '待单位确认', employer: { id: '19', name: '威海某科技有限公司' }, created_at: '2026-11-30T09:00:00+08:00' },
    })
    const w = mountPage()
    await flushPromises()
    expect(w.text()).toContain('您未关联单位')
    await w.find('[data-test="link-code"] input').setValue(' whkj2026 ')
    await w.find('[data-test="lookup"]').trigger('click')
    await flushPromises()
    expect(api.lookupEmployer).toHaveBeenCalledWith('WHKJ2026')
    expect(w.find('[data-test="found"]').text()).toContain('威海某科技有限公司')
    expect(api.requestEmployerLink).not.toHaveBeenCalled() // nothing is sent before the holder confirms
    await w.find('[data-test="apply-link"]').trigger('click')
    await flushPromises()
    expect(api.requestEmployerLink).toHaveBeenCalledWith('WHKJ2026')
    expect(w.find('[data-test="link-state"]').text()).toContain('待单位确认')
    expect(w.find('[data-test="link-code"]').exists()).toBe(false)
  })

  it('refuses a malformed code without calling the server', async () => {
    api.getMyEmployerLink.mockResolvedValueOnce({ link: null })
    const w = mountPage()
    await flushPromises()
    await w.find('[data-test="link-code"] input').setValue('１２３４')
    await w.find('[data-test="lookup"]').trigger('click')
    await flushPromises()
    expect(api.lookupEmployer).not.toHaveBeenCalled()
  })

  it('offers the code again after the employer refused, with its reason', async () => {
    api.getMyEmployerLink.mockResolvedValueOnce({
      link: { id: '1', status: 'rejected', status_name: '单位未同意', opinion: '查无此人', employer: { id: '19', name: '威海某科技有限公司' } },
    })
    const w = mountPage()
    await flushPromises()
    expect(w.text()).toContain('查无此人')
    expect(w.find('[data-test="link-code"]').exists()).toBe(true)
  })

  it('employer staff land on their workbench', () => {
    expect(homeFor(['employer'])).toBe('/employer')
  })
})
