const http = require('../utils/request')

const anon = { auth: false, quiet: true }
module.exports = {
  mpLogin: (code) => http.post('/auth/wechat/mp-login', { code }, anon),
  mpPhoneLogin: (loginCode, phoneCode) => http.post('/auth/wechat/mp-phone-login', { login_code: loginCode, phone_code: phoneCode }, { auth: false }),
  bind: (bindTicket, phone, code) => http.post('/auth/wechat/bind', { bind_ticket: bindTicket, phone, code }, { auth: false }),
  sendSms: (phone) => http.post('/auth/sms/send', { phone, purpose: 'login' }, { auth: false }),
  captcha: () => http.get('/auth/captcha', undefined, { auth: false }),
  passwordLogin: (payload) => http.post('/auth/password/login', payload, { auth: false, quiet: ['CAPTCHA_REQUIRED'] }),
  logout: () => http.post('/auth/logout', {}, { quiet: true, auth: true }),
  me: () => http.get('/me'),
  subscribe: (template, accepted) => http.post('/me/wechat-subscriptions', { template, accepted }, { quiet: true }),
}
