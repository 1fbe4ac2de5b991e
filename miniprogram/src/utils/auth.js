// Logging in: wx.login → mp-login; an openid not yet bound gets a bind ticket and the login page
// (phone-number button → mp-phone-login, or SMS → bind). Staff log in with their password.
const api = require('../api/auth')
const session = require('./session')
const { ApiError, MESSAGES } = require('./request')

const LOGIN_PAGE = '/pages/login/login'
const STAFF_LOGIN_PAGE = '/staff/pages/login/login'

function wxLogin() {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (res) => (res.code ? resolve(res.code) : reject(new ApiError(0, 'WX_LOGIN_FAILED', '微信登录失败，请重试'))),
      fail: () => reject(new ApiError(0, 'WX_LOGIN_FAILED', '微信登录失败，请重试')),
    })
  })
}

/** wx.login → mp-login. Resolves {loggedIn: true} or {bindRequired: true} (the ticket is kept). */
async function loginWithWechat() {
  const code = await wxLogin()
  const answer = await api.mpLogin(code)
  if (answer.bind_required) {
    session.setBindTicket(answer.bind_ticket)
    return { bindRequired: true }
  }
  session.save(answer, 'wechat')
  return { loggedIn: true, user: answer.user }
}

/** The phone-number button's code, with a fresh wx.login code. */
async function loginWithPhone(phoneCode) {
  const loginCode = await wxLogin()
  const answer = await api.mpPhoneLogin(loginCode, phoneCode)
  session.save(answer, 'wechat')
  return answer.user
}

async function bindWithSms(phone, code) {
  const answer = await api.bind(session.bindTicket(), phone, code)
  session.save(answer, 'wechat')
  return answer.user
}

async function loginWithPassword(payload) {
  const answer = await api.passwordLogin(payload)
  session.save(answer, 'password')
  return answer.user
}

/** Called by the request wrapper on a 401: renew silently, or send the person to log in. */
async function renewSession() {
  session.clear()
  if (session.kind() === 'password') {
    wx.reLaunch({ url: STAFF_LOGIN_PAGE })
    throw new ApiError(401, 'UNAUTHORIZED', MESSAGES.UNAUTHORIZED)
  }
  const out = await loginWithWechat()
  if (out.bindRequired) {
    wx.reLaunch({ url: LOGIN_PAGE })
    throw new ApiError(401, 'BIND_REQUIRED', '请先绑定手机号')
  }
}

async function logout() {
  try {
    await api.logout()
  } catch (e) {
    // the token may already be gone: logging out locally is what matters
  }
  session.clear()
}

/** The page to open after login, by role. */
function homeOf(user) {
  const roles = (user && user.roles) || []
  if (roles.includes('venue_staff')) return '/venue/pages/scan/scan'
  if (roles.includes('window_staff')) return '/staff/pages/todo/todo'
  return '/pages/card/card'
}

module.exports = { loginWithWechat, loginWithPhone, bindWithSms, loginWithPassword, renewSession, logout, homeOf, LOGIN_PAGE, STAFF_LOGIN_PAGE }

/** Before a holder page loads: a token, or a silent WeChat login, or the login page. */
async function ensureSession() {
  if (session.token() && session.kind() === 'password') {
    // a clerk opening the app lands on the holder's first page: send them to their own
    const home = homeOf(session.user())
    if (home !== '/pages/card/card') {
      wx.reLaunch({ url: home })
      return false
    }
  }
  if (session.token()) return true
  const out = await loginWithWechat()
  if (out.bindRequired) {
    wx.reLaunch({ url: LOGIN_PAGE })
    return false
  }
  return true
}

module.exports.ensureSession = ensureSession
