import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'

vi.mock('../../src/api/eligibility', () => ({ checkEligibility: vi.fn(), listPublicity: vi.fn() }))
vi.mock('../../src/api/catalog', () => ({ listDistricts: vi.fn(async () => ({ items: [{ name: '文登区' }] })) }))

const api = await import('../../src/api/eligibility')
const Eligibility = (await import('../../src/pages/Eligibility.vue')).default
const Publicity = (await import('../../src/pages/Publicity.vue')).default
const { router: appRouter } = await import('../../src/router')

function routerFor(component) {
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component },
      { path: '/login', component: { render: () => null } },
      { path: '/applications', component: { render: () => null } },
    ],
  })
}

async function mountPage(component) {
  setActivePinia(createPinia())
  const router = routerFor(component)
  router.push('/')
  await router.isReady()
  const w = mount(component, { global: { plugins: [router] } })
  await flushPromises()
  return { w, router }
}

afterEach(() => vi.clearAllMocks())

describe('routes', () => {
  it('一键测试 and 公示 are reachable before login', () => {
    for (const path of ['/eligibility', '/publicity']) {
      expect(appRouter.resolve(path).meta.public).toBe(true)
    }
  })
})

describe('一键测试', () => {
  it('asks to confirm the 办理须知 first, then sends the answers and shows levels, reasons and route', async () => {
    api.checkEligibility.mockResolvedValue({
      eligible: true,
      levels: ['A', 'B', 'C'],
      level_names: ['A类（领军人才）', 'B类（拔尖人才）', 'C类（青年人才）'],
      reasons: ['持有市级荣誉称号「威海市乡村之星」且具有副高级职称，符合A类（领军人才）条件'],
      route: ['威海市农业农村局', '威海市人力资源和社会保障局'],
      stages: [
        { name: '主管部门审核', org_name: '威海市农业农村局' },
        { name: '市人社局初审', org_name: '威海市人力资源和社会保障局' },
      ],
    })
    const { w, router } = await mountPage(Eligibility)
    expect(w.find('[data-test="start"]').attributes('disabled')).toBeDefined()
    await w.find('[data-test="agree"]').trigger('click')
    await w.find('[data-test="start"]').trigger('click')
    await flushPromises()

    // no education chosen: nothing is sent
    await w.find('[data-test="run"]').trigger('click')
    expect(api.checkEligibility).not.toHaveBeenCalled()

    const cells = w.findAll('[data-test="education"] .van-cell')
    await cells[1].trigger('click') // 硕士研究生
    await w.find('[data-test="honor"] input').setValue(' 威海市乡村之星 ')
    await w.find('[data-test="run"]').trigger('click')
    await flushPromises()
    expect(api.checkEligibility).toHaveBeenCalledWith({
      education: '硕士研究生',
      title: '无',
      honors: ['威海市乡村之星'],
      age: undefined,
      employer_is_city_level: false,
      employer_district: undefined,
    })
    const result = w.find('[data-test="result"]')
    expect(result.text()).toContain('符合申领条件')
    expect(w.find('[data-test="levels"]').text()).toContain('A类（领军人才）')
    expect(result.text()).toContain('乡村之星')
    expect(w.find('[data-test="route"]').text()).toContain('主管部门审核：威海市农业农村局')

    // not logged in: applying goes through the login page and comes back
    await w.find('[data-test="apply"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/login')
    expect(router.currentRoute.value.query.redirect).toBe('/applications')
  })
})

describe('公示', () => {
  it('lists the current batch with masked names, levels and the period, and pages on', async () => {
    api.listPublicity
      .mockResolvedValueOnce({
        items: [{ id: '7', name_masked: '李*', employer: '威海市海洋科技发展有限公司', level: 'B',
          honor_title: '威海市乡村之星', starts_at: '2026-12-07T10:00:00+08:00', ends_at: '2026-12-15T00:00:00+08:00' }],
        next_cursor: '7',
      })
      .mockResolvedValueOnce({ items: [{ id: '5', name_masked: '王*', employer: 'x', level: 'C',
        starts_at: '2026-12-01T10:00:00+08:00', ends_at: '2026-12-09T00:00:00+08:00' }], next_cursor: null })
    const { w } = await mountPage(Publicity)
    const item = w.find('[data-test="publicity-7"]')
    expect(item.text()).toContain('李*')
    expect(item.text()).toContain('B类')
    expect(item.text()).toContain('2026-12-07 至 2026-12-14')
    await w.findAll('button').at(-1).trigger('click')
    await flushPromises()
    expect(api.listPublicity).toHaveBeenLastCalledWith('7')
    expect(w.find('[data-test="publicity-5"]').exists()).toBe(true)
  })

  it('says so when nobody is in 公示', async () => {
    api.listPublicity.mockResolvedValue({ items: [], next_cursor: null })
    const { w } = await mountPage(Publicity)
    expect(w.text()).toContain('当前没有正在公示的人员')
  })
})
