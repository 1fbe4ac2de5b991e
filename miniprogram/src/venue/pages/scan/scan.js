// 场所核验 (venue staff): one big button scans the holder's dynamic code; the verdict fills the
// screen in green or red with the photo, the masked name, the level and the Chinese message;
// today's visits below.
const staff = require('../../../api/staff')
const http = require('../../../utils/request')
const session = require('../../../utils/session')
const { formatTime, todayISO } = require('../../../utils/format')
const { load } = require('../../../utils/page')

function scanCode() {
  return new Promise((resolve) => {
    wx.scanCode({
      onlyFromCamera: true,
      scanType: ['qrCode'],
      success: (res) => resolve(res.result || ''),
      fail: () => resolve(''),
    })
  })
}

Page({
  data: { loading: true, error: '', busy: false, result: null, ok: false, photoUrl: '', atText: '', visits: [], venueName: '' },

  onShow() {
    if (!session.token()) {
      wx.reLaunch({ url: '/staff/pages/login/login' })
      return
    }
    wx.setKeepScreenOn({ keepScreenOn: true })
    return this.loadVisits()
  },
  onHide() {
    wx.setKeepScreenOn({ keepScreenOn: false })
  },
  onPullDownRefresh() {
    return this.loadVisits()
  },

  loadVisits() {
    return load(this, async () => {
      const out = await staff.visits(todayISO())
      const visits = (out.items || []).map((v) => ({ ...v, timeText: formatTime(v.at, true).slice(-8) }))
      return { visits, venueName: (out.venue && out.venue.name) || '' }
    })
  },

  async scan() {
    const token = (await scanCode()).trim()
    if (!token) return
    this.setData({ busy: true })
    try {
      const result = await staff.scan(token)
      const ok = result.verdict === 'ok'
      this.setData({ result, ok, photoUrl: http.url(result.holder && result.holder.photo_url), atText: formatTime(result.at, true) })
      wx.vibrateShort({ type: ok ? 'light' : 'heavy' })
      await this.loadVisits()
    } catch (e) {
      // shown by the wrapper
    } finally {
      this.setData({ busy: false })
    }
  },

  logout() {
    session.clear()
    wx.reLaunch({ url: '/staff/pages/login/login' })
  },
})
