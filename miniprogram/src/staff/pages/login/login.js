// 工作人员登录 (window and venue clerks): username and password; after repeated failures the
// server asks for the captcha (428 CAPTCHA_REQUIRED) and the page shows its image.
const authApi = require('../../../api/auth')
const auth = require('../../../utils/auth')

Page({
  data: { username: '', password: '', captchaId: '', captchaImage: '', captchaCode: '', busy: false },

  onUsername(event) {
    this.setData({ username: String(event.detail).trim() })
  },
  onPassword(event) {
    this.setData({ password: String(event.detail) })
  },
  onCaptcha(event) {
    this.setData({ captchaCode: String(event.detail).trim() })
  },

  async loadCaptcha() {
    try {
      const out = await authApi.captcha()
      this.setData({ captchaId: out.captcha_id, captchaImage: out.image, captchaCode: '' })
    } catch (e) {
      // shown by the wrapper
    }
  },

  async login() {
    if (!this.data.username || !this.data.password) {
      wx.showToast({ title: '请输入账号和密码', icon: 'none' })
      return
    }
    const payload = { username: this.data.username, password: this.data.password }
    if (this.data.captchaId) {
      if (!this.data.captchaCode) {
        wx.showToast({ title: '请输入图形验证码', icon: 'none' })
        return
      }
      payload.captcha_id = this.data.captchaId
      payload.captcha_code = this.data.captchaCode
    }
    this.setData({ busy: true })
    try {
      const user = await auth.loginWithPassword(payload)
      wx.reLaunch({ url: auth.homeOf(user) })
    } catch (e) {
      if (e.code === 'CAPTCHA_REQUIRED') {
        wx.showToast({ title: e.message, icon: 'none' })
        await this.loadCaptcha()
      } else if (this.data.captchaId) {
        await this.loadCaptcha() // a captcha is single use
      }
    } finally {
      this.setData({ busy: false })
    }
  },
})
