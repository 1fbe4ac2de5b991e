// 我的: who is logged in (masked phone), shortcuts, logout.
const authApi = require('../../api/auth')
const auth = require('../../utils/auth')
const { load } = require('../../utils/page')

Page({
  data: { loading: true, error: '', me: null },
  async onShow() {
    if (!(await auth.ensureSession().catch(() => false))) return
    await load(this, async () => ({ me: await authApi.me() }))
  },
  go(event) {
    wx.navigateTo({ url: event.currentTarget.dataset.url })
  },
  async logout() {
    const answer = await wx.showModal({ title: '退出登录', content: '确定退出当前账号吗？', confirmText: '退出', cancelText: '取消' })
    if (!answer.confirm) return
    await auth.logout()
    wx.reLaunch({ url: auth.LOGIN_PAGE })
  },
})
