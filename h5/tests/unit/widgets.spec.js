import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { h } from 'vue'
import { createPinia, setActivePinia } from 'pinia'

const push = vi.fn()
vi.mock('vue-router', () => ({ useRouter: () => ({ push }) }))

const PickerPopup = (await import('../../src/components/PickerPopup.vue')).default
const EducationWorkCells = (await import('../../src/components/EducationWorkCells.vue')).default
const WorkBar = (await import('../../src/components/WorkBar.vue')).default
const { useAuthStore } = await import('../../src/stores/auth')

const COLUMNS = [
  { text: '环翠区', value: '环翠区' },
  { text: '文登区', value: '文登区' },
]

describe('PickerPopup', () => {
  it('sets the value picked and closes', async () => {
    const w = mount(PickerPopup, { props: { show: true, modelValue: '', title: '所在区市', columns: COLUMNS }, attachTo: document.body })
    await flushPromises()
    expect(w.text()).toContain('所在区市')
    await w.find('.van-picker__confirm').trigger('click')
    await flushPromises()
    expect(w.emitted('update:modelValue')).toEqual([['环翠区']])
    expect(w.emitted('update:show')).toEqual([[false]])
    w.unmount()
  })

  it('opens on the value chosen before, and 取消 only closes', async () => {
    const w = mount(PickerPopup, { props: { show: true, modelValue: '文登区', columns: COLUMNS }, attachTo: document.body })
    await flushPromises()
    expect(w.find('.van-picker-column__item--selected').text()).toBe('文登区')
    await w.find('.van-picker__cancel').trigger('click')
    await flushPromises()
    expect(w.emitted('update:modelValue')).toBeUndefined()
    expect(w.emitted('update:show')).toEqual([[false]])
    w.unmount()
  })
})

describe('EducationWorkCells', () => {
  const form = {
    education: { school: '中国农业大学', major: '农业经济管理', degree: '硕士研究生' },
    employer: { name: '威海市海洋科技发展有限公司', is_city_level: true, district: '环翠区', position: '技术总监' },
    talent: { category: '第三类', title: '高级农艺师', honor_title: '威海市乡村之星', card_level: 'B' },
    achievements: '主持海水稻示范种植项目',
  }

  it('shows education, employer, talent category, honor and card class', () => {
    const text = mount(EducationWorkCells, { props: { form } }).text()
    for (const part of ['中国农业大学 农业经济管理 硕士研究生', '威海市海洋科技发展有限公司', '市直 · 环翠区 · 技术总监', '第三类 高级农艺师', '威海市乡村之星', 'B类']) {
      expect(text).toContain(part)
    }
    expect(text).not.toContain('主要业绩')
  })

  it('adds 主要业绩 when asked (the reviewer)', () => {
    expect(mount(EducationWorkCells, { props: { form, achievements: true } }).text()).toContain('主持海水稻示范种植项目')
  })
})

describe('WorkBar', () => {
  function bar(props, slots) {
    setActivePinia(createPinia())
    useAuthStore().user = { id: '3', name: '周强', roles: ['reviewer'], org: { name: '威海市农业农村局' } }
    return mount(WorkBar, { props, slots })
  }

  it('names the page and goes to 我的', async () => {
    const w = bar({ title: '申领审核' })
    expect(w.text()).toContain('申领审核')
    expect(w.find('.who').exists()).toBe(false)
    await w.find('[data-test="to-mine"]').trigger('click')
    expect(push).toHaveBeenCalledWith('/mine')
  })

  it('shows who is signed in, and the page’s own buttons beside 我的', () => {
    const w = bar({ title: '窗口工作台', who: true }, { right: () => h('button', { class: 'extra' }, '综合查询'), left: () => h('span', { class: 'live' }, '● 实时') })
    expect(w.find('.who').text()).toBe('周强 · 威海市农业农村局')
    expect(w.find('.van-nav-bar__right .extra').exists()).toBe(true)
    expect(w.find('.van-nav-bar__left .live').exists()).toBe(true)
    expect(w.find('[data-test="to-mine"]').classes()).toContain('me')
  })
})
