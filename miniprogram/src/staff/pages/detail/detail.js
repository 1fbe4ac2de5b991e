// 预约办理 (window clerk): the appointment, its history, and the actions its state allows —
// 受理 / 预审 / 办结 / 转办 / 退回, each with a required opinion (转办 also a target window).
// Two clerks on one item: the second gets 409 and sees the item as it is now.
const green = require('../../../api/green')
const staff = require('../../../api/staff')
const { APPOINTMENT_STATUS, ACTIONS_BY_STATUS, STAFF_ACTIONS, formatTime, historySteps } = require('../../../utils/format')
const { load } = require('../../../utils/page')

Page({
  data: {
    loading: true,
    error: '',
    appt: null,
    statusText: '',
    steps: [],
    actions: [],
    action: '',
    actionText: '',
    opinion: '',
    windows: [],
    windowNames: [],
    windowIndex: -1,
    busy: false,
    deadlineText: '',
  },

  onLoad(query) {
    this.id = query.id
    return this.fetch()
  },
  onPullDownRefresh() {
    return this.fetch()
  },

  show(appt) {
    return {
      appt,
      statusText: appt.status_name || APPOINTMENT_STATUS[appt.status] || appt.status,
      steps: historySteps(appt.history),
      actions: (ACTIONS_BY_STATUS[appt.status] || []).map((a) => ({ value: a, text: STAFF_ACTIONS[a] })),
      deadlineText: formatTime(appt.deadline_at),
      action: '',
      opinion: '',
      windowIndex: -1,
    }
  },

  fetch() {
    return load(this, async () => this.show(await green.appointment(this.id)))
  },

  async choose(event) {
    const action = event.currentTarget.dataset.action
    this.setData({ action, actionText: STAFF_ACTIONS[action], opinion: '' })
    if (action === 'forward' && !this.data.windows.length) {
      try {
        const out = await staff.windows()
        const windows = (out.items || []).filter((w) => String(w.id) !== String(this.data.appt.window.id))
        this.setData({ windows, windowNames: windows.map((w) => `${w.name}（${w.district}）`) })
      } catch (e) {
        // shown by the wrapper
      }
    }
  },
  cancelAction() {
    this.setData({ action: '' })
  },
  onOpinion(event) {
    this.setData({ opinion: String(event.detail) })
  },
  onWindow(event) {
    this.setData({ windowIndex: Number(event.detail.value) })
  },

  async submit() {
    const { action, appt } = this.data
    const opinion = this.data.opinion.trim()
    if (!opinion) {
      wx.showToast({ title: `请填写${action === 'return' || action === 'forward' ? '原因' : '意见'}`, icon: 'none' })
      return
    }
    const payload = { action, opinion, version: appt.version }
    if (action === 'forward') {
      const target = this.data.windows[this.data.windowIndex]
      if (!target) {
        wx.showToast({ title: '请选择转办窗口', icon: 'none' })
        return
      }
      payload.to_window_id = String(target.id)
    }
    this.setData({ busy: true })
    try {
      const updated = await staff.act(this.id, payload)
      wx.showToast({ title: `已${STAFF_ACTIONS[action]}`, icon: 'success' })
      if (updated && updated.history) this.setData(this.show(updated))
      else await this.fetch()
    } catch (e) {
      if (e.code === 'VERSION_CONFLICT' || e.code === 'INVALID_TRANSITION') {
        wx.showToast({ title: '该事项已被他人处理，已刷新为最新状态', icon: 'none' })
        await this.fetch()
      }
    } finally {
      this.setData({ busy: false })
    }
  },
})
