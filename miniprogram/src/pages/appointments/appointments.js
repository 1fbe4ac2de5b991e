// 我的预约: status tabs, pull to refresh, each item opens its detail.
const green = require('../../api/green')
const { HOLDER_APPOINTMENT_STATUS, formatTime } = require('../../utils/format')
const { ensureSession } = require('../../utils/auth')
const { load } = require('../../utils/page')

const TABS = [
  { value: '', text: '全部' },
  { value: 'submitted', text: '待受理' },
  { value: 'accepted', text: '已受理' },
  { value: 'prereviewed', text: '已预审' },
  { value: 'returned', text: '已退回' },
  { value: 'completed', text: '已办结' },
]

Page({
  data: { tabs: TABS, active: 0, loading: true, error: '', items: [] },

  async onShow() {
    if (!(await ensureSession().catch(() => false))) return
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
      const out = await green.myAppointments(TABS[this.data.active].value)
      const items = (out.items || []).map((a) => ({
        ...a,
        statusText: HOLDER_APPOINTMENT_STATUS[a.status] || a.status_name || a.status,
        createdText: formatTime(a.created_at),
      }))
      return { items }
    })
  },

  open(event) {
    wx.navigateTo({ url: `/pages/appointment/appointment?id=${event.currentTarget.dataset.id}` })
  },
  goServices() {
    wx.switchTab({ url: '/pages/services/services' })
  },
})
