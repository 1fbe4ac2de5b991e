// 服务详情: what the service is, who may use it, and the windows that handle it (tap to call).
const green = require('../../api/green')
const { load, dataOf } = require('../../utils/page')

const LEVELS = (levels) => (levels && levels.length ? `${levels.join('、')}类英才卡` : '全部英才卡')

Page({
  data: { loading: true, error: '', service: null, levels: '', windows: [], venues: [] },

  onLoad(query) {
    this.id = query.id
    return this.fetch()
  },
  onPullDownRefresh() {
    return this.fetch()
  },

  fetch() {
    return load(this, async () => {
      // the detail names its windows (窗口办理) or its venues (现场服务)
      const service = await green.service(this.id)
      wx.setNavigationBarTitle({ title: service.name })
      return { service, levels: LEVELS(service.eligible_levels), windows: service.windows || [], venues: service.venues || [] }
    })
  },

  call(event) {
    wx.makePhoneCall({ phoneNumber: String(dataOf(event, 'phone')) })
  },

  book() {
    wx.navigateTo({ url: `/pages/book/book?service_id=${this.id}` })
  },

  scan() {
    wx.navigateTo({ url: '/pages/scan/scan' })
  },
})
