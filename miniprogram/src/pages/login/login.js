// 登录: wx.login → mp-login; an openid not yet bound binds by the phone-number button
// (getPhoneNumber → mp-phone-login) or, as the fallback, by an SMS code (bind).
const authApi = require('../../api/auth')
const auth = require('../../utils/auth')
const session = require('../../utils/session')

const PHONE = /^1[3-9][0-9]{9}$/

Page({
  timer: 0,
  data: {
    checking: true,
    busy: false,
    showSms: false,
    phone: '',
    code: '',
    cooldown: 0,
    loginError: '',
  },

  async onLoad() {
    if (session.bindTicket()) {
      this.setData({ checking: false })
      return
    }
    try {
      const out = await auth.loginWithWechat()
      if (out.loggedIn) {
        this.goHome(out.user)
        return
      }
    } catch (e) {
      // mp-login is quiet in the wrapper (a 401's silent re-login uses it too): say it here;
      // the person can still try the phone button or SMS
      this.setData({ loginError: e.message })
      wx.showToast({ title: e.message, icon: 'none' })
    }
    this.setData({ checking: false })
  },

  onUnload() {
    clearInterval(this.timer)
  },

  goHome(user) {
    const home = auth.homeOf(user)
    if (home === '/pages/card/card') wx.switchTab({ url: home })
    else wx.reLaunch({ url: home })
  },

  async onPhoneNumber(event) {
    const code = event.detail && event.detail.code
    if (!code) {
      wx.showToast({ title: '未获得手机号授权，可使用短信验证码绑定', icon: 'none' })
      this.setData({ showSms: true })
      return
    }
    this.setData({ busy: true })
    try {
      const user = await auth.loginWithPhone(code)
      wx.showToast({ title: '登录成功', icon: 'success' })
      this.goHome(user)
    } catch (e) {
      this.setData({ showSms: true })
    } finally {
      this.setData({ busy: false })
    }
  },

  onShowSms() {
    this.setData({ showSms: true })
  },
  onPhoneInput(event) {
    this.setData({ phone: String(event.detail).trim() })
  },
  onCodeInput(event) {
    this.setData({ code: String(event.detail).trim() })
  },

  async onSendCode() {
    if (!PHONE.test(this.data.phone)) {
      wx.showToast({ title: '请输入正确的手机号', icon: 'none' })
      return
    }
    try {
      const out = await authApi.sendSms(this.data.phone)
      this.startCooldown(out.cooldown_seconds || 60)
      wx.showToast({ title: '验证码已发送', icon: 'none' })
    } catch (e) {
      if (e.details && e.details.retry_after_seconds) this.startCooldown(e.details.retry_after_seconds)
    }
  },

  startCooldown(seconds) {
    clearInterval(this.timer)
    this.setData({ cooldown: seconds })
    this.timer = setInterval(() => {
      const left = this.data.cooldown - 1
      this.setData({ cooldown: Math.max(0, left) })
      if (left <= 0) clearInterval(this.timer)
    }, 1000)
  },

  async onBind() {
    if (!PHONE.test(this.data.phone) || !/^[0-9]{6}$/.test(this.data.code)) {
      wx.showToast({ title: '请输入手机号和6位验证码', icon: 'none' })
      return
    }
    this.setData({ busy: true })
    try {
      if (!session.bindTicket()) await auth.loginWithWechat()
      const user = await auth.bindWithSms(this.data.phone, this.data.code)
      wx.showToast({ title: '绑定成功', icon: 'success' })
      this.goHome(user)
    } catch (e) {
      // the wrapper showed the reason (验证码错误 …)
    } finally {
      this.setData({ busy: false })
    }
  },

  goStaffLogin() {
    wx.navigateTo({ url: auth.STAFF_LOGIN_PAGE })
  },
})
