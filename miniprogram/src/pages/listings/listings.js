// 资源信息: 通报公告, 企业需求, 人才项目, 平台载体; paged, pull to refresh, more on reaching the bottom.
const green = require('../../api/green')
const { formatDate } = require('../../utils/format')
const { load } = require('../../utils/page')

const KINDS = [
  { value: '', text: '全部' },
  { value: 'notice', text: '通报公告' },
  { value: 'demand', text: '企业需求' },
  { value: 'project', text: '人才项目' },
  { value: 'platform', text: '平台载体' },
]

const view = (items) => items.map((l) => ({ ...l, dateText: formatDate(l.published_at || l.created_at) }))

Page({
  data: { kinds: KINDS, active: 0, loading: true, error: '', items: [], next: null },

  onLoad() {
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
      const out = await green.listings({ kind: KINDS[this.data.active].value })
      return { items: view(out.items || []), next: out.next_cursor || null }
    })
  },
  async onReachBottom() {
    if (!this.data.next || this.loadingMore) return
    this.loadingMore = true
    try {
      const out = await green.listings({ kind: KINDS[this.data.active].value, cursor: this.data.next })
      this.setData({ items: this.data.items.concat(view(out.items || [])), next: out.next_cursor || null })
    } catch (e) {
      // shown by the wrapper
    } finally {
      this.loadingMore = false
    }
  },
  open(event) {
    wx.navigateTo({ url: `/pages/listing/listing?id=${event.currentTarget.dataset.id}` })
  },
})
