// The 好差评 table: the rater only where the page asks for it (admins), each step only in its state.
import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import FollowupTable from '../../../console/src/components/FollowupTable.vue'

const rows = [
  { id: '1', appointment_id: '7', window_name: '文登区人才服务窗口', org_name: '文登区人社局', stars: 1, status: 'open', status_text: '待整改', overdue: true, deadline_at: '2026-12-01T09:00:00+08:00', version: 1, rater: { name: '张三', phone_masked: '138****0001' } },
  { id: '2', appointment_id: '8', window_name: '环翠区人才服务窗口', org_name: '环翠区人社局', stars: 2, status: 'rectified', status_text: '待回访', overdue: false, deadline_at: '2026-12-01T09:00:00+08:00', version: 2, rectification: { action_taken: '已整改', by: '陈静', at: '2026-11-30T09:00:00+08:00' } },
]

describe('FollowupTable', () => {
  it('shows the rater and offers only the revisit on the admins’ page', async () => {
    const w = mount(FollowupTable, { props: { rows, showRater: true, actions: ['revisit'] }, global: { plugins: [ElementPlus] } })
    await new Promise((r) => setTimeout(r, 0))
    expect(w.text()).toContain('138****0001')
    expect(w.findAll('[data-test=rectify]')).toHaveLength(0)
    expect(w.findAll('[data-test=revisit]')).toHaveLength(1)
    expect(w.findAll('tr.row-overdue').length).toBeGreaterThan(0)
    await w.find('[data-test=revisit]').trigger('click')
    expect(w.emitted('revisit')[0][0].id).toBe('2')
  })

  it('hides the rater from the window’s staff and offers each step in its own state', async () => {
    const w = mount(FollowupTable, { props: { rows, actions: ['rectify', 'revisit'] }, global: { plugins: [ElementPlus] } })
    await new Promise((r) => setTimeout(r, 0))
    expect(w.text()).not.toContain('138****0001')
    expect(w.text()).not.toContain('评价人')
    await w.find('[data-test=rectify]').trigger('click')
    expect(w.emitted('rectify')[0][0].id).toBe('1')
    expect(w.findAll('[data-test=revisit]')).toHaveLength(1)
  })

  it('offers no steps where the page has none', () => {
    const w = mount(FollowupTable, { props: { rows }, global: { plugins: [ElementPlus] } })
    expect(w.text()).not.toContain('操作')
  })
})
