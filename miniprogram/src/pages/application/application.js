// 申领详情: every review stage (org, state, reviewer, opinion, time) and what to do next. 补正
// (editing the form and the materials) is done in the H5 or on the PC: the page says so and
// copies the link.
const config = require('../../config')
const cardApi = require('../../api/card')
const { APPLICATION_STATUS, APPLICATION_TYPES, formatTime } = require('../../utils/format')
const { load } = require('../../utils/page')

const STATE = { done: '已完成', current: '审核中', pending: '待审核', returned: '已退回', rejected: '不予受理' }

function nextStep(app) {
  switch (app.status) {
    case 'draft':
      return '申领尚未提交，请在网页版完善材料后提交。'
    case 'submitted':
      return '正在审批，请耐心等待，审批结果将通过短信通知您。'
    case 'correction_required':
      return '需要补正材料：请在网页版（手机浏览器或电脑）按审核意见修改后重新提交。'
    case 'approved':
      return '审批通过，英才卡已发放，可在“英才卡”页面出示使用。'
    case 'publicizing':
      return '审批通过，正在公示，公示期满后发卡。'
    case 'rejected':
      return '申领不予受理，详见审核意见。'
    default:
      return ''
  }
}

Page({
  data: { loading: true, error: '', app: null, statusText: '', typeText: '', steps: [], active: 0, next: '', needsWeb: false, h5Url: config.h5Url },

  onLoad(query) {
    this.id = query.id
    return this.fetch()
  },
  onPullDownRefresh() {
    return this.fetch()
  },

  fetch() {
    return load(this, async () => {
      const app = await cardApi.application(this.id)
      const stages = app.stages || []
      const steps = stages.map((s) => {
        const lines = [s.org_name, STATE[s.state] || s.state]
        if (s.actor_name) lines.push(s.actor_name)
        if (s.opinion) lines.push(`意见：${s.opinion}`)
        if (s.at) lines.push(formatTime(s.at))
        return { text: s.name, desc: lines.filter(Boolean).join('　') }
      })
      const current = stages.findIndex((s) => s.state !== 'done')
      return {
        app,
        statusText: APPLICATION_STATUS[app.status] || app.status,
        typeText: APPLICATION_TYPES[app.type] || '',
        steps,
        active: current === -1 ? steps.length - 1 : current,
        next: nextStep(app),
        needsWeb: app.status === 'correction_required' || app.status === 'draft',
      }
    })
  },

  copyLink() {
    wx.setClipboardData({ data: `${config.h5Url}#/applications/${this.id}` })
  },
})
