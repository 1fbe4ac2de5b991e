import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('vue-router', () => ({ useRouter: () => ({ push: vi.fn() }) }))
vi.mock('qrcode', () => ({ default: { toCanvas: vi.fn(async () => undefined) } }))
vi.mock('../../src/api/card', () => ({
  getMyCard: vi.fn(async () => ({
    card_no: 'WH202600000001', level: 'B', status: 'active', valid_until: '2029-11-30', issued_at: '2026-11-30',
    holder: { name: '李四', photo_url: null }, quotas: [],
    dependents: [{ card_no: 'WH202600000002', name_masked: '王*', relation: '配偶', level: 'B', status: 'active', valid_until: '2029-11-30' }],
  })),
  issueCardQr: vi.fn(async () => ({ token: 'Q1.t', refresh_in_seconds: 30 })),
}))

const cardApi = await import('../../src/api/card')
const { useAuthStore } = await import('../../src/stores/auth')
const Card = (await import('../../src/pages/holder/Card.vue')).default

describe('Card', () => {
  it("lists the dependents and shows a dependent's code on request", async () => {
    setActivePinia(createPinia())
    const w = mount(Card)
    await flushPromises()
    expect(cardApi.issueCardQr).toHaveBeenLastCalledWith(undefined)
    expect(w.find('[data-test="dependents"]').text()).toContain('配偶 王*')
    await w.find('[data-test="show-dependent-WH202600000002"]').trigger('click')
    await flushPromises()
    expect(cardApi.issueCardQr).toHaveBeenLastCalledWith('WH202600000002')
    expect(w.find('[data-test="dependent-shown"]').text()).toContain('配偶 王*')
    w.unmount()
  })

  it('takes NO_CARD from /me as a state: no request that can only answer 404', async () => {
    setActivePinia(createPinia())
    useAuthStore().user = { id: '2', roles: ['holder'], card: null }
    cardApi.getMyCard.mockClear()
    const w = mount(Card)
    await flushPromises()
    expect(cardApi.getMyCard).not.toHaveBeenCalled()
    expect(w.find('[data-test="no-card"]').exists()).toBe(true)
    w.unmount()
  })
})
