// The pieces of an admin table page's template: the filters' options, the status tabs, the edit dialog.
import { describe, expect, it, vi } from 'vitest'
import { reactive, ref } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { optionItems } from '../../../console/src/statuses'
import StatusTabs from '../../../console/src/components/StatusTabs.vue'
import EditDialog from '../../../console/src/components/EditDialog.vue'

describe('optionItems', () => {
  it('reads every shape of options the pages have', () => {
    expect(optionItems([{ value: 'onsite', text: '现场服务' }])).toEqual([{ value: 'onsite', text: '现场服务' }])
    expect(optionItems([{ id: 7, name: '环翠区窗口' }])).toEqual([{ value: '7', text: '环翠区窗口' }])
    expect(optionItems({ true: '已超期', false: '未超期' })).toEqual([
      { value: 'true', text: '已超期' },
      { value: 'false', text: '未超期' },
    ])
    expect(optionItems({ active: { text: '启用', type: 'success' } })).toEqual([{ value: 'active', text: '启用' }])
    expect(optionItems(['环翠区', '文登区'])).toEqual([
      { value: '环翠区', text: '环翠区' },
      { value: '文登区', text: '文登区' },
    ])
  })
})

describe('StatusTabs', () => {
  it('sets the status filter and searches at once, inside a form with the page’s other filters', async () => {
    const list = { filters: reactive({ status: 'pending' }), search: vi.fn() }
    const w = mount(StatusTabs, { props: { list, options: [['pending', '待审核'], ['all', '全部']] }, slots: { default: '<i data-test="more">x</i>' }, global: { plugins: [ElementPlus] } })
    expect(w.find('form').exists()).toBe(true)
    expect(w.find('[data-test=more]').exists()).toBe(true)
    await w.findAll('input[type=radio]')[1].setValue(true)
    await flushPromises()
    expect(list.filters.status).toBe('all')
    expect(list.search).toHaveBeenCalledTimes(1)
  })

  it('stands alone in a toolbar with `bar`', () => {
    const list = { filters: reactive({ status: '' }), search: vi.fn() }
    const w = mount(StatusTabs, { props: { list, options: [['', '全部']], bar: true }, global: { plugins: [ElementPlus] } })
    expect(w.find('form').exists()).toBe(false)
    expect(w.classes()).toContain('toolbar')
  })
})

describe('EditDialog', () => {
  const page = (editing) => ({ dialog: ref(true), editing: ref(editing), saving: ref(false), save: vi.fn() })

  it('names the dialog by new or edit, and 保存 saves', async () => {
    const p = page(null)
    const w = mount(EditDialog, { props: { page: p, newTitle: '新建服务', editTitle: '编辑服务', saveTest: 'save' }, slots: { default: '<i data-test="field">f</i>' }, global: { plugins: [ElementPlus] }, attachTo: document.body })
    await flushPromises()
    expect(document.body.textContent).toContain('新建服务')
    expect(document.querySelector('[data-test=field]')).not.toBeNull()
    document.querySelector('[data-test=save]').click()
    expect(p.save).toHaveBeenCalledTimes(1)
    w.unmount()

    const q = page({ id: '1' })
    const v = mount(EditDialog, { props: { page: q, newTitle: '新建服务', editTitle: '编辑服务' }, global: { plugins: [ElementPlus] }, attachTo: document.body })
    await flushPromises()
    expect(document.body.textContent).toContain('编辑服务')
    const cancel = [...document.querySelectorAll('.el-dialog button')].find((b) => b.textContent.includes('取消'))
    cancel.click()
    expect(q.dialog.value).toBe(false)
    v.unmount()
  })
})
