import { getJssdkConfig } from '../api/wechat'

export function isWeChat(ua = globalThis.navigator ? navigator.userAgent : '') {
  return /MicroMessenger/i.test(ua || '')
}

let sdkPromise = null

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script')
    s.src = src
    s.async = true
    s.onload = () => resolve()
    s.onerror = () => reject(new Error('微信 JS-SDK 加载失败'))
    document.head.appendChild(s)
  })
}

/** Load and configure the WeChat JS-SDK for scanQRCode (inside WeChat only). */
export function wechatSdk() {
  if (!sdkPromise) {
    sdkPromise = (async () => {
      if (!globalThis.wx) await loadScript(import.meta.env.VITE_WECHAT_JSSDK_URL)
      const cfg = await getJssdkConfig(location.href.split('#')[0])
      const wx = globalThis.wx
      await new Promise((resolve, reject) => {
        wx.config({
          debug: false,
          appId: cfg.app_id,
          timestamp: cfg.timestamp,
          nonceStr: cfg.nonce_str,
          signature: cfg.signature,
          jsApiList: ['scanQRCode'],
        })
        wx.ready(resolve)
        wx.error((res) => reject(new Error((res && res.errMsg) || '微信 JS-SDK 配置失败')))
      })
      return wx
    })().catch((e) => {
      sdkPromise = null
      throw e
    })
  }
  return sdkPromise
}

/** WeChat's own scanner: resolves with the text of the QR code. */
export async function wechatScan() {
  const wx = await wechatSdk()
  return new Promise((resolve, reject) => {
    wx.scanQRCode({
      needResult: 1,
      scanType: ['qrCode'],
      success: (res) => resolve(res.resultStr || ''),
      cancel: () => reject(new Error('已取消扫码')),
      fail: (res) => reject(new Error((res && res.errMsg) || '扫码失败')),
    })
  })
}
