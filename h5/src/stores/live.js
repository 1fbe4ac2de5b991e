import { defineStore } from 'pinia'

const RETRY_MIN = Number(import.meta.env.VITE_WS_RETRY_MIN_MS) || 1000
const RETRY_MAX = Number(import.meta.env.VITE_WS_RETRY_MAX_MS) || 30000
const WS_PATH = import.meta.env.VITE_WS_PATH || '/api/v1/ws'
const CLOSE_SESSION_ENDED = 4401

function wsUrl(token) {
  const loc = globalThis.location
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${loc.host}${WS_PATH}?token=${encodeURIComponent(token)}`
}

// listeners live outside the reactive state: they are functions, not data
const listeners = new Set()
let socket = null
let retryTimer = null
let retryDelay = RETRY_MIN
let currentToken = ''
let sessionEnded = null
let everConnected = false

/**
 * The live-push WebSocket (GET /api/v1/ws?token=…): one per logged-in tab, reconnecting with backoff.
 * Pages subscribe with `on(prefix, fn)`; prefix 'appointment.' matches appointment.created/updated/….
 */
export const useLiveStore = defineStore('live', {
  state: () => ({ connected: false, lastEvent: null }),
  actions: {
    connect(token, { onSessionEnded, WebSocketImpl } = {}) {
      if (!token) return
      if (socket && currentToken === token) return
      this.disconnect()
      currentToken = token
      sessionEnded = onSessionEnded || null
      const Impl = WebSocketImpl || globalThis.WebSocket
      if (!Impl) return
      const ws = new Impl(wsUrl(token))
      socket = ws
      ws.onopen = () => {
        this.connected = true
        retryDelay = RETRY_MIN
        // after a drop, pages reload what they show: events may have been missed meanwhile
        if (everConnected) this.dispatch({ type: 'live.reconnected' })
        everConnected = true
      }
      ws.onmessage = (ev) => {
        let msg
        try {
          msg = JSON.parse(ev.data)
        } catch {
          return
        }
        this.lastEvent = msg
        this.dispatch(msg)
      }
      ws.onclose = (ev) => {
        if (socket !== ws) return
        socket = null
        this.connected = false
        if (ev.code === CLOSE_SESSION_ENDED) {
          currentToken = ''
          if (sessionEnded) sessionEnded()
          return
        }
        if (!currentToken) return
        retryTimer = setTimeout(() => {
          retryTimer = null
          const token = currentToken
          currentToken = ''
          this.connect(token, { onSessionEnded: sessionEnded, WebSocketImpl })
        }, retryDelay)
        retryDelay = Math.min(retryDelay * 2, RETRY_MAX)
      }
    },
    disconnect() {
      currentToken = ''
      if (retryTimer) clearTimeout(retryTimer)
      retryTimer = null
      if (socket) {
        const ws = socket
        socket = null
        ws.close(1000)
      }
      this.connected = false
    },
    dispatch(msg) {
      for (const l of [...listeners]) {
        if (!l.prefix || (msg.type || '').startsWith(l.prefix)) {
          try {
            l.fn(msg)
          } catch (e) {
            console.warn('live listener failed', e)
          }
        }
      }
    },
    on(prefix, fn) {
      const l = { prefix, fn }
      listeners.add(l)
      return () => listeners.delete(l)
    },
  },
})
