// The one place the mini-program is configured (WeChat admin console: 开发管理 → 服务器域名 must
// list the API host as a request domain; 订阅消息 gives the template ids).
module.exports = {
  // the API server (its host must be a "request 合法域名" of the mini-program)
  apiBase: 'https://yck.example.gov.cn',
  // the mini-program's AppID (project.config.json carries the same value for WeChat DevTools)
  appId: 'wx0000000000000000',
  // subscribe-message templates: our name (POST /api/v1/me/wechat-subscriptions) → WeChat template id
  subscribeTemplates: {
    appointment_progress: 'REPLACE-WITH-TEMPLATE-ID-appointment-progress',
  },
  // the H5 address, for what the mini-program leaves to it (材料补正)
  h5Url: 'https://yck.example.gov.cn/h5/',
  // seconds between QR refreshes when the server's answer names none
  qrRefreshFallbackSeconds: 30,
}
