import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'

const HistoryTimeline = (await import('../../src/components/HistoryTimeline.vue')).default
const { activeStage, applicationTimeline, appointmentTimeline, stageTimeline } = await import('../../src/utils/timeline')

const AT = '2026-11-30T09:00:00+08:00'

describe('HistoryTimeline', () => {
  it('draws each entry: title, aside, lines, opinion with its label, wall time', () => {
    const w = mount(HistoryTimeline, {
      props: {
        items: [
          { title: '提交', aside: '张三', at: AT },
          { title: '转办', aside: '李四', lines: ['环翠区窗口 → 市级窗口'], opinion: '属市级事项', opinionLabel: '转办原因', at: AT },
        ],
      },
    })
    const steps = w.findAll('.van-step')
    expect(steps).toHaveLength(2)
    expect(steps[1].find('.step-title').text()).toBe('转办李四')
    expect(steps[1].find('.step-line').text()).toBe('环翠区窗口 → 市级窗口')
    expect(steps[1].find('.opinion').text()).toBe('转办原因 属市级事项')
    expect(steps[1].find('.opinion .label').text()).toBe('转办原因')
    expect(steps[1].find('.step-time').text()).toBe('2026-11-30 09:00')
    expect(steps[0].find('.opinion').exists()).toBe(false)
    const plain = mount(HistoryTimeline, { props: { items: [{ title: '受理', opinion: '材料齐全' }] } })
    expect(plain.find('.opinion').text()).toBe('意见：材料齐全')
  })

  it('draws the last entry as the current one unless told which', () => {
    const items = [{ title: 'a' }, { title: 'b' }, { title: 'c' }]
    const last = mount(HistoryTimeline, { props: { items } })
    expect(last.findAll('.van-step')[2].classes()).toContain('van-step--process')
    const first = mount(HistoryTimeline, { props: { items, active: 0 } })
    expect(first.findAll('.van-step')[0].classes()).toContain('van-step--process')
  })
})

describe('timeline entries', () => {
  it('an appointment: action, actor, the windows of a 转办, the opinion; oldest first', () => {
    const rows = appointmentTimeline([
      { action: 'submit', action_name: '提交预约', actor_name: '张三', opinion: null, at: AT },
      { action: 'forward', action_name: '转办', actor_name: '王五', opinion: '属市级事项', from_window: { name: '环翠区窗口' }, to_window: { name: '市级窗口' }, at: AT },
      { action: 'accept', actor_name: '赵六', at: AT },
    ])
    expect(rows.map((r) => r.title)).toEqual(['提交预约', '转办', 'accept'])
    expect(rows[0].lines).toEqual([])
    expect(rows[1]).toMatchObject({ aside: '王五', lines: ['环翠区窗口 → 市级窗口'], opinion: '属市级事项' })
  })

  it("an application's history: every round, newest first, the opinion as 审核意见", () => {
    const rows = applicationTimeline([
      { action_name: '提交申请', actor_name: '李四', at: AT },
      { action_name: '退回补正', actor_name: '周强', opinion: '学历证书不清晰', at: AT },
    ])
    expect(rows.map((r) => r.title)).toEqual(['退回补正', '提交申请'])
    expect(rows[0]).toMatchObject({ aside: '周强', opinion: '学历证书不清晰', opinionLabel: '审核意见' })
    expect(applicationTimeline(undefined)).toEqual([])
  })

  it("an application's stages: state in words, org and clerk, and which one is current", () => {
    const stages = [
      { name: '单位审核', state: 'done', org_name: '威海市农业农村局', actor_name: '周强', opinion: '同意', at: AT },
      { name: '人社审核', state: 'current', org_name: '威海市人社局' },
      { name: '公示', state: 'pending' },
    ]
    const rows = stageTimeline(stages)
    expect(rows[0]).toMatchObject({ aside: '已完成', asideClass: ['state', 'done'], lines: ['威海市农业农村局', '经办人：周强'], opinion: '同意' })
    expect(rows[1]).toMatchObject({ aside: '办理中', lines: ['威海市人社局'] })
    expect(rows[2].lines).toEqual([])
    expect(activeStage(stages)).toBe(1)
    expect(activeStage(stages.map((s) => ({ ...s, state: 'done' })))).toBe(2)
    expect(activeStage([])).toBe(-1)
  })
})
