// 申领进度: the holder's card applications; each opens its progress timeline.
const cardApi = require('../../api/card')
const { APPLICATION_STATUS, APPLICATION_TYPES, formatTime } = require('../../utils/format')
const { load } = require('../../utils/page')

Page({
  data: { loading: true, error: '', items: [] },
  onLoad() {
    return this.fetch()
  },
  onPullDownRefresh() {
    return this.fetch()
  },
  fetch() {
    return load(this, async () => {
      const out = await cardApi.myApplications()
      const items = (out.items || []).map((a) => ({
        ...a,
        statusText: APPLICATION_STATUS[a.status] || a.status,
        typeText: APPLICATION_TYPES[a.type] || '',
        timeText: formatTime(a.submitted_at || a.updated_at || a.created_at),
      }))
      return { items }
    })
  },
  open(event) {
    wx.navigateTo({ url: `/pages/application/application?id=${event.currentTarget.dataset.id}` })
  },
})
