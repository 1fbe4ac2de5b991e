// 待办: the clerk's windows' work by step — 待受理 / 待预审 / 待办结 — overdue items marked.
const staff = require('../../../api/staff')
const { formatTime } = require('../../../utils/format')
const { load } = require('../../../utils/page')
const session = require('../../../utils/session')

const TABS = [
  { value: 'submitted', text: '待受理' },
  { value: 'accepted', text: '待预审' },
  { value: 'prereviewed', text: '待办结' },
]

Page({
  data: { tabs: TABS, badges: ['', '', ''], active: 0, loading: true, error: '', items: [], overdueCount: 0 },

  onShow() {
    if (!session.token()) {
      wx.reLaunch({ url: '/staff/pages/login/login' })
      return
    }
    return this.fetch()
  },
  onPullDownRefresh() {
    return this.fetch()
  },
  onTab(event) {
    this.setData({ active: event.detail.index })
    return this.fetch()
  },

  fetch() {
    return load(this, async () => {
      const [out, late] = await Promise.all([staff.todo(TABS[this.data.active].value), staff.overdue()])
      // the tabs' badges: overdue work per step, whichever tab is open
      const badges = TABS.map((t) => (late.items || []).filter((a) => a.overdue && a.status === t.value).length || '')
      const items = (out.items || []).map((a) => ({
        ...a,
        createdText: formatTime(a.created_at),
        deadlineText: formatTime(a.deadline_at),
      }))
      return { items, badges, overdueCount: items.filter((a) => a.overdue).length }
    })
  },

  open(event) {
    wx.navigateTo({ url: `/staff/pages/detail/detail?id=${event.currentTarget.dataset.id}` })
  },
})
