import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { defineComponent, h } from 'vue'

const back = vi.fn()
vi.mock('vue-router', () => ({ useRouter: () => ({ back }) }))
vi.mock('../../src/api/applications', () => ({ getMaterials: vi.fn() }))

const { getMaterials } = await import('../../src/api/applications')
const DetailPage = (await import('../../src/components/DetailPage.vue')).default
const { useMaterialNames } = await import('../../src/composables/useMaterialNames')

function page(props) {
  return mount(DetailPage, { props: { title: '预约详情', ...props }, slots: { default: () => h('p', { class: 'body' }, '内容') } })
}

describe('DetailPage', () => {
  it('shows a spinner the first time, then the object; a reload keeps the object on screen', async () => {
    const w = page({ loading: true, data: null })
    expect(w.text()).toContain('加载中')
    expect(w.find('.body').exists()).toBe(false)
    await w.setProps({ loading: false, data: { id: 1 } })
    expect(w.find('.body').exists()).toBe(true)
    await w.setProps({ loading: true })
    expect(w.find('.body').exists()).toBe(true)
  })

  it('shows the error with a retry, and goes back from the nav bar', async () => {
    const w = page({ error: { message: '预约不存在' } })
    expect(w.text()).toContain('预约不存在')
    await w.find('.page-state button').trigger('click')
    expect(w.emitted('retry')).toHaveLength(1)
    await w.find('.van-nav-bar__left').trigger('click')
    expect(back).toHaveBeenCalled()
  })

  it("takes the phone column, or the staff pages' wide one", () => {
    expect(page({}).classes()).toContain('page')
    expect(page({ wide: true }).classes()).toContain('work')
  })
})

describe('useMaterialNames', () => {
  const Probe = defineComponent({
    setup() {
      const names = useMaterialNames()
      return () => h('p', JSON.stringify(names.value))
    },
  })

  it('maps each kind to its Chinese name', async () => {
    getMaterials.mockResolvedValueOnce({ items: [{ kind: 'degree_cert', name: '学历学位证书' }] })
    const w = mount(Probe)
    await flushPromises()
    expect(JSON.parse(w.text())).toEqual({ degree_cert: '学历学位证书' })
  })

  it('is empty when the list cannot be read (the kinds are shown instead)', async () => {
    getMaterials.mockRejectedValueOnce(new Error('服务繁忙'))
    const w = mount(Probe)
    await flushPromises()
    expect(JSON.parse(w.text())).toEqual({})
  })
})
