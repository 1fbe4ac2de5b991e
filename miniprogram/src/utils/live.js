// The live push (GET /api/v1/ws?token=…): the events that concern the logged-in person, within a
// second of the change. The card page listens for card.* so that a card disabled by the
// administrator disappears from the holder's open screen at once (SPEC §4).
const config = require('../config')
const session = require('./session')

const RETRY_MS = 5000

/**
 * openLive(onEvent) → close(). Reconnects after a drop while it is open; onEvent gets each
 * parsed event ({type, data, at}).
 */
function openLive(onEvent) {
  let closed = false
  let task = null
  let retry = null

  function connect() {
    const token = session.token()
    if (closed || !token) return
    const url = `${config.apiBase.replace(/^http/, 'ws')}/api/v1/ws?token=${encodeURIComponent(token)}`
    task = wx.connectSocket({ url, fail: () => schedule() })
    if (!task) return
    task.onMessage((message) => {
      let event = null
      try {
        event = JSON.parse(String(message.data))
      } catch (e) {
        return // not ours
      }
      if (event && event.type) onEvent(event)
    })
    task.onClose((res) => {
      // 4401: the session ended; the next request's 401 handles it
      if (!closed && res && res.code !== 4401) schedule()
    })
  }

  function schedule() {
    if (closed) return
    clearTimeout(retry)
    retry = setTimeout(connect, RETRY_MS)
  }

  connect()
  return () => {
    closed = true
    clearTimeout(retry)
    if (task) task.close({})
  }
}

module.exports = { openLive }
