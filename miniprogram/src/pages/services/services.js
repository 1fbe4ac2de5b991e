// 绿色通道: the services by category (预约服务 first: what a holder comes here for).
const green = require('../../api/green')
const { SERVICE_CATEGORIES } = require('../../utils/format')
const { load } = require('../../utils/page')

Page({
  data: { categories: SERVICE_CATEGORIES, active: 0, loading: true, error: '', items: [] },

  onLoad() {
    return this.fetch()
  },
  onPullDownRefresh() {
    return this.fetch()
  },

  fetch() {
    const category = SERVICE_CATEGORIES[this.data.active].value
    return load(this, async () => {
      const out = await green.services(category)
      return { items: out.items || [] }
    })
  },

  onTab(event) {
    this.setData({ active: event.detail.index, items: [] })
    return this.fetch()
  },

  openService(event) {
    wx.navigateTo({ url: `/pages/service/service?id=${event.currentTarget.dataset.id}` })
  },
})
