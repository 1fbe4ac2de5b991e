import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('vue-router', () => ({
  useRouter: () => ({ back: vi.fn(), push: vi.fn(), replace: vi.fn() }),
  useRoute: () => ({ params: {}, query: { type: 'new' } }),
}))
vi.mock('vant', async (importOriginal) => ({ ...(await importOriginal()), showFailToast: vi.fn(), showSuccessToast: vi.fn() }))
vi.mock('../../src/api/applications', () => ({
  getMaterials: vi.fn(async () => ({
    items: [
      { kind: 'id_card', name: '身份证或护照', required_for: ['new'] },
      { kind: 'family_id', name: '（副卡）家属身份证明', required_for: [] },
    ],
    photo_required_for: ['new'],
  })),
  listHonorTitles: vi.fn(async (q) => ({
    items: [{ title: '威海市乡村之星', org_name: '威海市农业农村局' }].filter((t) => !q || t.title.includes(q)),
  })),
  createApplication: vi.fn(),
  updateApplication: vi.fn(),
  getApplication: vi.fn(),
  submitApplication: vi.fn(),
}))
vi.mock('../../src/api/catalog', () => ({ listDistricts: vi.fn(async () => ({ items: [{ name: '环翠区' }] })) }))
// a new application starts from the prefill (GET /me/application-prefill): nothing known here
vi.mock('../../src/api/employers', () => ({ getApplicationPrefill: vi.fn(async () => ({ form: {}, sources: [] })) }))

const { showFailToast } = await import('vant')
const api = await import('../../src/api/applications')
const ApplicationForm = (await import('../../src/pages/holder/ApplicationForm.vue')).default

async function open() {
  setActivePinia(createPinia())
  const w = mount(ApplicationForm, { attachTo: document.body })
  await flushPromises()
  return w
}

describe('ApplicationForm', () => {
  it('starts with the 申请须知 and refuses to go on without the 诚信声明', async () => {
    const w = await open()
    expect(w.find('[data-test="declaration"]').isVisible()).toBe(true)
    expect(w.text()).toContain('诚信声明')
    await w.findAll('button').find((b) => b.text() === '下一步').trigger('click')
    await flushPromises()
    expect(showFailToast).toHaveBeenCalledWith(expect.objectContaining({ message: '请阅读申请须知并勾选诚信声明' }))
    expect(api.createApplication).not.toHaveBeenCalled()
    w.unmount()
  })

  it('chooses the honor title from the routing table instead of typing it', async () => {
    const w = await open()
    const field = w.find('[data-test="honor-title"] input')
    expect(field.attributes('readonly')).toBeDefined()
    await w.find('[data-test="honor-title"]').trigger('click')
    await flushPromises()
    const pick = document.body.querySelector('[data-test="honor-威海市乡村之星"]')
    expect(pick.textContent).toContain('威海市农业农村局')
    pick.click()
    await flushPromises()
    expect(w.find('[data-test="honor-title"] input').element.value).toBe('威海市乡村之星')
    w.unmount()
  })

  it('marks the 副卡 document 必传 as soon as a dependent card is asked for', async () => {
    const w = await open()
    expect(w.find('[data-test="family-id-required"]').exists()).toBe(false)
    await w.findAll('.van-cell').find((c) => c.text().includes('添加家庭成员')).trigger('click')
    await w.find('[data-test="wants-card-0"]').trigger('click')
    await flushPromises()
    expect(w.find('[data-test="family-id-required"]').exists()).toBe(true)
    const familyDoc = w.findAll('.sub').find((s) => s.text().includes('（副卡）家属身份证明'))
    expect(familyDoc.text()).toContain('必传')
    w.unmount()
  })
})
