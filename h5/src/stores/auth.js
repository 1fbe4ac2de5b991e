import { defineStore } from 'pinia'
import { client } from '../api/client'
import * as authApi from '../api/auth'

/** Each role's workbench, in the order a multi-role account lands on them. */
export const ROLE_HOMES = [
  { role: 'admin', path: '/admin', label: '管理后台' },
  { role: 'window_staff', path: '/staff', label: '窗口工作台' },
  { role: 'reviewer', path: '/review', label: '申领审核' },
  { role: 'venue_staff', path: '/venue', label: '场所核验' },
  { role: 'employer', path: '/employer', label: '单位工作台' },
  { role: 'holder', path: '/card', label: '我的英才卡' },
]

export const ROLE_NAMES = {
  holder: '持卡人',
  window_staff: '窗口服务专员',
  reviewer: '审核人员',
  venue_staff: '场所工作人员',
  admin: '管理员',
  employer: '单位人事专员',
}

export function homeFor(roles = []) {
  const hit = ROLE_HOMES.find((h) => roles.includes(h.role))
  return hit ? hit.path : '/login'
}

export const useAuthStore = defineStore('auth', {
  state: () => ({
    token: client.getToken(),
    user: null, // GET /me
  }),
  getters: {
    loggedIn: (s) => !!s.token,
    roles: (s) => (s.user && s.user.roles) || [],
    homePath() {
      return homeFor(this.roles)
    },
    workbenches() {
      return ROLE_HOMES.filter((h) => this.roles.includes(h.role))
    },
  },
  actions: {
    hasRole(...names) {
      return names.some((n) => this.roles.includes(n))
    },
    /** Keep a session answered by a login endpoint, then load the full profile. */
    async acceptSession(session) {
      client.setToken(session.token)
      this.token = session.token
      this.user = session.user
      await this.fetchMe()
    },
    async fetchMe() {
      this.user = await authApi.getMe()
      return this.user
    },
    /** Make sure `user` is loaded when a token is kept from an earlier visit. */
    async ensureUser() {
      if (!this.token) return null
      if (this.user && this.user.roles && 'has_password' in this.user) return this.user
      return this.fetchMe()
    },
    async loginBySms(phone, code) {
      await this.acceptSession(await authApi.smsLogin(phone, code))
    },
    async loginByPassword(payload) {
      await this.acceptSession(await authApi.passwordLogin(payload))
    },
    async loginByOAuthTicket(ticket) {
      await this.acceptSession(await authApi.exchangeOAuthTicket(ticket))
    },
    async bindWechat(ticket, phone, code) {
      await this.acceptSession(await authApi.bindWechat(ticket, phone, code))
    },
    async logout() {
      try {
        if (this.token) await authApi.logout()
      } finally {
        this.clear()
      }
    },
    /** Forget the session locally (logout, or a 401 from the API). */
    clear() {
      client.setToken('')
      this.token = ''
      this.user = null
    },
  },
})
