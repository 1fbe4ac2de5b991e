// 英才卡: photo, level, number, validity, live status, and the dynamic QR code — re-issued every
// refresh_in_seconds with a visible countdown; the screen stays on while it shows. A disabled or
// expired card shows why, and no code.
const config = require('../../config')
const cardApi = require('../../api/card')
const http = require('../../utils/request')
const { ensureSession } = require('../../utils/auth')
const { startCountdown } = require('../../utils/countdown')
const { CARD_STATUS, formatDate } = require('../../utils/format')
const { load } = require('../../utils/page')
const { openLive } = require('../../utils/live')

Page({
  data: {
    loading: true,
    error: '',
    noCard: false,
    card: null,
    statusText: '',
    validUntil: '',
    photoUrl: '',
    qrToken: '',
    qrError: '',
    secondsLeft: 0,
    dependents: [],
    shownCardNo: '', // '' = the main card; else the 副卡 whose code is shown
    shownName: '',
  },

  closeLive: null,
  shown: false,

  async onShow() {
    this.shown = true
    await this.refresh()
    // 停用后，移动端停止对持卡人的一切绿色通道服务: the administrator's change shows here at once
    if (this.shown && !this.closeLive && this.data.card) {
      this.closeLive = openLive((event) => {
        if (event.type.startsWith('card.')) this.refresh()
      })
    }
  },

  onHide() {
    this.leave()
  },

  onUnload() {
    this.leave()
  },

  leave() {
    this.shown = false
    this.stopQr()
    wx.setKeepScreenOn({ keepScreenOn: false })
    if (this.closeLive) this.closeLive()
    this.closeLive = null
  },

  onPullDownRefresh() {
    return this.refresh()
  },

  async refresh() {
    try {
      if (!(await ensureSession())) return
    } catch (e) {
      this.setData({ loading: false, error: e.message })
      return
    }
    await this.loadCard()
    if (this.data.card && this.data.card.status === 'active') await this.refreshQr()
    else {
      this.stopQr()
      this.setData({ qrToken: '' })
      wx.setKeepScreenOn({ keepScreenOn: false })
    }
  },

  loadCard() {
    return load(this, async () => {
      try {
        const card = await cardApi.myCard()
        return {
          card,
          noCard: false,
          statusText: CARD_STATUS[card.status] || card.status,
          validUntil: formatDate(card.valid_until),
          photoUrl: http.url(card.holder && card.holder.photo_url),
          dependents: (card.dependents || []).map((d) => ({ ...d, statusText: CARD_STATUS[d.status] || d.status })),
        }
      } catch (e) {
        if (e.code === 'NO_CARD') return { card: null, noCard: true }
        throw e
      }
    })
  },

  stopQr() {
    if (this.stopCountdown) this.stopCountdown()
    this.stopCountdown = null
    clearTimeout(this.retryTimer)
  },

  async refreshQr() {
    this.stopQr()
    if (!this.data.card || this.data.card.status !== 'active') return
    try {
      const qr = await cardApi.issueQr(this.data.shownCardNo)
      if (!this.shown) return // left the page while the code was on its way
      const seconds = Number(qr.refresh_in_seconds) || config.qrRefreshFallbackSeconds
      this.setData({ qrToken: qr.token, qrError: '' })
      wx.setKeepScreenOn({ keepScreenOn: true })
      this.stopCountdown = startCountdown(
        seconds,
        (left) => this.setData({ secondsLeft: left }),
        () => this.refreshQr(),
      )
    } catch (e) {
      this.setData({ qrToken: '' })
      wx.setKeepScreenOn({ keepScreenOn: false })
      if (e.code === 'CARD_DISABLED' || e.code === 'CARD_EXPIRED') {
        await this.loadCard() // the card changed under us: show why
      } else {
        this.setData({ qrError: e.message })
        this.retryTimer = setTimeout(() => this.refreshQr(), config.qrRefreshFallbackSeconds * 1000)
      }
    }
  },

  /** Show a 副卡's code (data-card-no), or the main card's again (no card-no). */
  showCard(event) {
    const cardNo = event.currentTarget.dataset.cardNo || ''
    const dep = this.data.dependents.find((d) => d.card_no === cardNo)
    this.setData({ shownCardNo: cardNo, shownName: dep ? `${dep.name_masked}（${dep.relation_name || dep.relation}）` : '', qrToken: '' })
    return this.refreshQr()
  },

  onRefreshQr() {
    return this.refreshQr()
  },

  onRetry() {
    return this.refresh()
  },

  goApplications() {
    wx.navigateTo({ url: '/pages/applications/applications' })
  },
  goScan() {
    wx.navigateTo({ url: '/pages/scan/scan' })
  },
  goListings() {
    wx.navigateTo({ url: '/pages/listings/listings' })
  },
})
