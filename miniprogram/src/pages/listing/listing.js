const green = require('../../api/green')
const { formatDate } = require('../../utils/format')
const { load } = require('../../utils/page')

Page({
  data: { loading: true, error: '', item: null, dateText: '' },
  onLoad(query) {
    this.id = query.id
    return load(this, async () => {
      const item = await green.listing(this.id)
      return { item, dateText: formatDate(item.published_at || item.created_at) }
    })
  },
  call(event) {
    wx.makePhoneCall({ phoneNumber: String(event.currentTarget.dataset.phone) })
  },
})
