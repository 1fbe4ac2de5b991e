// 预约办理: pick the window, write the need, confirm, submit; right after, ask for the
// subscribe-message templates of config.js and tell the server what was granted.
const config = require('../../config')
const authApi = require('../../api/auth')
const green = require('../../api/green')
const { load, dataOf } = require('../../utils/page')

/** wx.requestSubscribeMessage for every configured template; reports each answer. Never throws. */
function askSubscriptions() {
  const names = Object.keys(config.subscribeTemplates)
  const ids = names.map((n) => config.subscribeTemplates[n])
  if (!ids.length) return Promise.resolve([])
  return new Promise((resolve) => {
    wx.requestSubscribeMessage({
      tmplIds: ids,
      success: (res) => resolve(names.map((name, i) => ({ name, accepted: res[ids[i]] === 'accept' }))),
      fail: () => resolve([]),
    })
  }).then((answers) =>
    Promise.all(answers.map((a) => authApi.subscribe(a.name, a.accepted).catch(() => null))).then(() => answers),
  )
}

Page({
  data: { loading: true, error: '', service: null, windows: [], windowIndex: -1, content: '', submitting: false },

  onLoad(query) {
    this.serviceId = query.service_id
    return load(this, async () => {
      const service = await green.service(this.serviceId)
      return { service, windows: service.windows || [] }
    })
  },

  pickWindow(event) {
    this.setData({ windowIndex: Number(dataOf(event, 'index')) })
  },
  onContent(event) {
    this.setData({ content: String(event.detail) })
  },

  async submit() {
    const win = this.data.windows[this.data.windowIndex]
    const content = this.data.content.trim()
    if (!win) {
      wx.showToast({ title: '请选择办理窗口', icon: 'none' })
      return
    }
    if (!content) {
      wx.showToast({ title: '请填写办理需求', icon: 'none' })
      return
    }
    const confirm = await wx.showModal({
      title: '确认提交预约',
      content: `服务：${this.data.service.name}\n窗口：${win.name}\n提交后窗口工作人员将尽快受理。`,
      confirmText: '确认提交',
      cancelText: '再看看',
    })
    if (!confirm.confirm) return
    this.setData({ submitting: true })
    try {
      const appt = await green.book({ service_id: String(this.serviceId), window_id: String(win.id), content })
      wx.showToast({ title: '预约已提交', icon: 'success' })
      await askSubscriptions()
      wx.redirectTo({ url: `/pages/appointment/appointment?id=${appt.id}` })
    } catch (e) {
      // the wrapper showed why (英才卡已停用 …)
    } finally {
      this.setData({ submitting: false })
    }
  },
})

module.exports = { askSubscriptions }
