// 扫码服务: the holder scans a venue's guide poster; the server checks and records the use; the
// phone shows a success screen the venue staff check by eye (venue, service, a live clock, the
// check code, the photo) — or the refusal in plain words.
const green = require('../../api/green')
const http = require('../../utils/request')
const { clock, formatTime } = require('../../utils/format')

function scanCode() {
  return new Promise((resolve) => {
    wx.scanCode({
      onlyFromCamera: true,
      scanType: ['qrCode'],
      success: (res) => resolve(res.result || ''),
      fail: () => resolve(''), // cancelled: nothing to say
    })
  })
}

Page({
  clockTimer: 0,
  data: { busy: false, result: null, ok: false, now: '', atText: '', photoUrl: '' },

  onUnload() {
    this.stopClock()
    wx.setKeepScreenOn({ keepScreenOn: false })
  },

  stopClock() {
    clearInterval(this.clockTimer)
  },

  async scan() {
    const text = await scanCode()
    if (!text) return
    this.setData({ busy: true })
    try {
      const result = await green.checkin(text)
      const ok = result.verdict === 'ok'
      this.setData({
        result,
        ok,
        atText: formatTime(result.at, true),
        photoUrl: http.url(result.holder && result.holder.photo_url),
      })
      this.stopClock()
      if (ok) {
        // a live clock: a screenshot of an old success screen shows a frozen time
        this.setData({ now: clock(new Date()) })
        this.clockTimer = setInterval(() => this.setData({ now: clock(new Date()) }), 1000)
        wx.setKeepScreenOn({ keepScreenOn: true })
      }
    } catch (e) {
      // the wrapper showed why
    } finally {
      this.setData({ busy: false })
    }
  },

  again() {
    this.stopClock()
    this.setData({ result: null })
    return this.scan()
  },
})
