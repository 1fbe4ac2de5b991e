// The session in storage: the token and how it was obtained ("wechat" for holders, whose token the
// request wrapper renews with wx.login; "password" for staff, who type their password again).
const TOKEN = 'yck.token'
const KIND = 'yck.kind'
const USER = 'yck.user'
const BIND_TICKET = 'yck.bindTicket'

module.exports = {
  token: () => wx.getStorageSync(TOKEN) || '',
  kind: () => wx.getStorageSync(KIND) || 'wechat',
  user: () => wx.getStorageSync(USER) || null,
  save(answer, kind) {
    wx.setStorageSync(TOKEN, answer.token)
    wx.setStorageSync(KIND, kind)
    if (answer.user) wx.setStorageSync(USER, answer.user)
    wx.removeStorageSync(BIND_TICKET)
  },
  clear() {
    wx.removeStorageSync(TOKEN)
    wx.removeStorageSync(USER)
  },
  bindTicket: () => wx.getStorageSync(BIND_TICKET) || '',
  setBindTicket: (ticket) => wx.setStorageSync(BIND_TICKET, ticket),
}
