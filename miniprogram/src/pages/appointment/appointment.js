// 预约详情: state, the history with every opinion, and what the holder may do now: cancel
// (待受理 / 已退回), edit and resubmit after a return, rate once after completion.
const green = require('../../api/green')
const { HOLDER_APPOINTMENT_STATUS, formatTime, historySteps } = require('../../utils/format')
const { load } = require('../../utils/page')

Page({
  data: {
    loading: true,
    error: '',
    appt: null,
    statusText: '',
    steps: [],
    deadlineText: '',
    canCancel: false,
    canResubmit: false,
    canRate: false,
    editing: false,
    content: '',
    stars: 0,
    comment: '',
    busy: false,
  },

  onLoad(query) {
    this.id = query.id
    return this.fetch()
  },
  onPullDownRefresh() {
    return this.fetch()
  },

  fetch() {
    return load(this, async () => {
      const appt = await green.appointment(this.id)
      return {
        appt,
        statusText: HOLDER_APPOINTMENT_STATUS[appt.status] || appt.status_name || appt.status,
        steps: historySteps(appt.history),
        deadlineText: formatTime(appt.deadline_at),
        canCancel: appt.status === 'submitted' || appt.status === 'returned',
        canResubmit: appt.status === 'returned',
        canRate: appt.status === 'completed' && !appt.rating,
        content: appt.content,
      }
    })
  },

  async cancel() {
    const answer = await wx.showModal({ title: '取消预约', content: '确定取消这次预约吗？', confirmText: '确定取消', cancelText: '不取消' })
    if (!answer.confirm) return
    await this.act(() => green.cancel(this.id, this.data.appt.version), '已取消')
  },

  startEdit() {
    this.setData({ editing: true })
  },
  onContent(event) {
    this.setData({ content: String(event.detail) })
  },
  async resubmit() {
    const content = this.data.content.trim()
    if (!content) {
      wx.showToast({ title: '请填写办理需求', icon: 'none' })
      return
    }
    await this.act(() => green.resubmit(this.id, { content, version: this.data.appt.version }), '已重新提交')
    this.setData({ editing: false })
  },

  onStars(event) {
    this.setData({ stars: event.detail })
  },
  onComment(event) {
    this.setData({ comment: String(event.detail) })
  },
  async rate() {
    if (!this.data.stars) {
      wx.showToast({ title: '请先选择星级', icon: 'none' })
      return
    }
    await this.act(() => green.rate(this.id, this.data.stars, this.data.comment.trim() || undefined), '感谢您的评价')
  },

  async act(fn, done) {
    this.setData({ busy: true })
    try {
      await fn()
      wx.showToast({ title: done, icon: 'success' })
    } catch (e) {
      // shown by the wrapper; reload to show the state as it is now
    } finally {
      this.setData({ busy: false })
    }
    await this.fetch()
  },
})
