import { createRouter, createWebHashHistory } from 'vue-router'
import { useAuthStore } from '../../src/stores/auth'
import { allowed, consoleHome } from './menus'
import Layout from './Layout.vue'
import Login from './pages/Login.vue'

const R = (roles) => ({ roles })
const routes = [
  { path: '/login', component: Login, meta: { public: true, title: '登录' } },
  {
    path: '/',
    component: Layout,
    children: [
      { path: '', component: () => import('./pages/Home.vue'), meta: { title: '首页' } },
      { path: 'appointments', component: () => import('./pages/staff/Appointments.vue'), meta: { ...R(['window_staff', 'admin']), crumbs: ['窗口业务', '综合查询'] } },
      { path: 'followups', component: () => import('./pages/staff/Followups.vue'), meta: { ...R(['window_staff']), crumbs: ['窗口业务', '好差评整改'] } },
      { path: 'review', component: () => import('./pages/review/Queue.vue'), meta: { ...R(['reviewer', 'employer']), crumbs: ['申领审核', '审核工作台'] } },
      { path: 'review/processed', component: () => import('./pages/review/Processed.vue'), meta: { ...R(['reviewer']), crumbs: ['申领审核', '人才管理'] } },
      { path: 'review/:id', component: () => import('./pages/review/Workbench.vue'), meta: { ...R(['reviewer', 'employer']), crumbs: ['申领审核', '审核工作台', '审核申请'] } },
      { path: 'employer/profile', component: () => import('./pages/employer/Profile.vue'), meta: { ...R(['employer']), crumbs: ['单位服务', '单位信息'] } },
      { path: 'employer/links', component: () => import('./pages/employer/Links.vue'), meta: { ...R(['employer']), crumbs: ['单位服务', '关联申请'] } },
      { path: 'admin/employers', component: () => import('./pages/admin/Employers.vue'), meta: { ...R(['admin', 'reviewer']), crumbs: ['英才卡', '单位注册审核'] } },
      { path: 'admin/publicity', component: () => import('./pages/admin/Publicity.vue'), meta: { ...R(['admin']), crumbs: ['英才卡', '公示'] } },
      { path: 'admin/calendar', component: () => import('./pages/admin/Calendar.vue'), meta: { ...R(['admin']), crumbs: ['英才卡', '工作日历'] } },
      { path: 'admin/cards', component: () => import('./pages/admin/Cards.vue'), meta: { ...R(['admin']), crumbs: ['英才卡', '卡片管理'] } },
      { path: 'admin/cards/:cardNo', component: () => import('./pages/admin/CardDetail.vue'), meta: { ...R(['admin']), crumbs: ['英才卡', '卡片管理', '卡片详情'] } },
      { path: 'admin/accounts', component: () => import('./pages/admin/Accounts.vue'), meta: { ...R(['admin']), crumbs: ['英才卡', '账号管理'] } },
      { path: 'admin/orgs', component: () => import('./pages/admin/Orgs.vue'), meta: { ...R(['admin']), crumbs: ['英才卡', '单位与审批路由'] } },
      { path: 'admin/services', component: () => import('./pages/admin/Services.vue'), meta: { ...R(['admin']), crumbs: ['绿色通道', '服务事项'] } },
      { path: 'admin/windows', component: () => import('./pages/admin/Windows.vue'), meta: { ...R(['admin']), crumbs: ['绿色通道', '服务窗口'] } },
      { path: 'admin/listings', component: () => import('./pages/admin/Listings.vue'), meta: { ...R(['admin']), crumbs: ['绿色通道', '资源与公告'] } },
      { path: 'admin/venues', component: () => import('./pages/admin/Venues.vue'), meta: { ...R(['admin']), crumbs: ['绿色通道', '服务场所'] } },
      { path: 'admin/followups', component: () => import('./pages/admin/Followups.vue'), meta: { ...R(['admin']), crumbs: ['绿色通道', '好差评'] } },
      { path: 'admin/stats', component: () => import('./pages/admin/Stats.vue'), meta: { ...R(['admin']), crumbs: ['统计分析', '统计报表'] } },
    ],
  },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHashHistory(), routes })

router.beforeEach(async (to) => {
  const auth = useAuthStore()
  if (to.meta.public) return true
  if (!auth.loggedIn) return { path: '/login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  try {
    await auth.ensureUser()
  } catch {
    return { path: '/login' }
  }
  if (to.path === '/') {
    const home = consoleHome(auth.roles)
    return home ? { path: home } : true // no console role: Home explains
  }
  return allowed(auth.roles, to.meta.roles) ? true : { path: '/' }
})

router.afterEach((to) => {
  const crumbs = to.meta.crumbs || [to.meta.title || '']
  document.title = `${crumbs[crumbs.length - 1]} · 威海英才卡管理控制台`
})
