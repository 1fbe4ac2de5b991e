// 英才卡 · 人才服务绿色通道. No global state here: the session lives in storage
// (utils/session.js) and each page logs in on demand (utils/auth.js ensureSession).
App({})
