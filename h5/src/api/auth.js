import { client } from './client'

export const sendSmsCode = (phone, purpose = 'login') => client.post('/auth/sms/send', { phone, purpose }, { auth: false })
export const smsLogin = (phone, code) => client.post('/auth/sms/login', { phone, code }, { auth: false })
export const getCaptcha = () => client.get('/auth/captcha', undefined, { auth: false })
export const passwordLogin = (payload) => client.post('/auth/password/login', payload, { auth: false })
export const exchangeOAuthTicket = (loginTicket) =>
  client.post('/auth/wechat/oauth/exchange', { login_ticket: loginTicket }, { auth: false })
export const bindWechat = (bindTicket, phone, code) =>
  client.post('/auth/wechat/bind', { bind_ticket: bindTicket, phone, code }, { auth: false })
export const logout = () => client.post('/auth/logout')
export const getMe = () => client.get('/me')
export const changePassword = (payload) => client.post('/me/password', payload)
/** Where the browser goes to start WeChat OAuth (a full-page redirect, not an XHR). */
export const oauthStartUrl = (next) => client.url('/auth/wechat/oauth', { next })
