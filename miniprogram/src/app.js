// 英才卡 · 人才服务绿色通道. The session lives in storage (utils/session.js); pages log in on demand.
App({
  onLaunch() {
    // keep the phone's screen readable on the card and scan pages only (they call setKeepScreenOn)
  },
})
