import { createRouter, createWebHashHistory } from 'vue-router'
import { showToast } from 'vant'
import { useAuthStore } from '../stores/auth'

// Every page is its own chunk: the first screen loads only what it shows.
const HOLDER = ['holder']
const routes = [
  { path: '/login', component: () => import('../pages/Login.vue'), meta: { public: true, title: '登录' } },
  { path: '/oauth-done', component: () => import('../pages/OAuthDone.vue'), meta: { public: true, title: '微信登录' } },
  { path: '/employer-register', component: () => import('../pages/EmployerRegister.vue'), meta: { public: true, title: '单位注册' } },
  { path: '/bind', component: () => import('../pages/Bind.vue'), meta: { public: true, title: '绑定手机号' } },
  // 一键测试 and 公示 (seed 004): open to everyone, before login too
  { path: '/eligibility', component: () => import('../pages/Eligibility.vue'), meta: { public: true, title: '一键测试' } },
  { path: '/publicity', component: () => import('../pages/Publicity.vue'), meta: { public: true, title: '英才卡公示' } },
  { path: '/', name: 'home', component: { render: () => null } },
  {
    path: '/',
    component: () => import('../pages/MobileLayout.vue'),
    children: [
      { path: 'card', component: () => import('../pages/holder/Card.vue'), meta: { roles: HOLDER, title: '我的英才卡', tab: true } },
      { path: 'services', component: () => import('../pages/holder/Services.vue'), meta: { roles: HOLDER, title: '绿色通道', tab: true } },
      { path: 'appointments', component: () => import('../pages/holder/Appointments.vue'), meta: { roles: HOLDER, title: '我的预约', tab: true } },
      { path: 'mine', component: () => import('../pages/Mine.vue'), meta: { title: '我的', tab: true } },
    ],
  },
  { path: '/services/:id', component: () => import('../pages/holder/ServiceDetail.vue'), meta: { roles: HOLDER, title: '服务详情' } },
  { path: '/windows', component: () => import('../pages/holder/Windows.vue'), meta: { title: '服务窗口' } },
  { path: '/book', component: () => import('../pages/holder/Book.vue'), meta: { roles: HOLDER, title: '预约服务' } },
  { path: '/appointments/:id', component: () => import('../pages/holder/AppointmentDetail.vue'), meta: { roles: HOLDER, title: '预约详情' } },
  { path: '/applications', component: () => import('../pages/holder/Applications.vue'), meta: { roles: HOLDER, title: '英才卡申领' } },
  { path: '/applications/new', component: () => import('../pages/holder/ApplicationForm.vue'), meta: { roles: HOLDER, title: '填写申请' } },
  { path: '/applications/:id/edit', component: () => import('../pages/holder/ApplicationForm.vue'), meta: { roles: HOLDER, title: '填写申请' } },
  { path: '/applications/:id', component: () => import('../pages/holder/ApplicationDetail.vue'), meta: { roles: HOLDER, title: '申请进度' } },
  { path: '/employer-link', component: () => import('../pages/holder/EmployerLink.vue'), meta: { roles: HOLDER, title: '关联单位' } },
  { path: '/scan', component: () => import('../pages/holder/ScanVenue.vue'), meta: { roles: HOLDER, title: '扫码核验' } },
  { path: '/checkin', component: () => import('../pages/holder/Checkin.vue'), meta: { roles: HOLDER, title: '核验结果' } },
  { path: '/listings', component: () => import('../pages/holder/Listings.vue'), meta: { title: '资源信息' } },
  { path: '/listings/:id', component: () => import('../pages/holder/ListingDetail.vue'), meta: { title: '信息详情' } },
  { path: '/password', component: () => import('../pages/Password.vue'), meta: { title: '修改密码' } },
  // window clerks (and the administrator, who sees everything and sends supervision)
  { path: '/staff', component: () => import('../pages/staff/Todo.vue'), meta: { roles: ['window_staff'], title: '窗口工作台' } },
  { path: '/staff/query', component: () => import('../pages/staff/Query.vue'), meta: { roles: ['window_staff', 'admin'], title: '综合查询' } },
  { path: '/staff/appointments/:id', component: () => import('../pages/staff/Detail.vue'), meta: { roles: ['window_staff', 'admin'], title: '预约办理' } },
  // venue clerks
  { path: '/venue', component: () => import('../pages/venue/Scan.vue'), meta: { roles: ['venue_staff'], title: '场所核验' } },
  // reviewers
  { path: '/review', component: () => import('../pages/review/Queue.vue'), meta: { roles: ['reviewer', 'employer'], title: '申领审核' } },
  { path: '/review/:id', component: () => import('../pages/review/Detail.vue'), meta: { roles: ['reviewer', 'employer'], title: '审核申请' } },
  // employer staff: the 关联代码 and the people asking to be linked (their applications: /review)
  { path: '/employer', component: () => import('../pages/employer/Home.vue'), meta: { roles: ['employer'], title: '单位工作台' } },
  // the administrator
  { path: '/admin', component: () => import('../pages/admin/Home.vue'), meta: { roles: ['admin'], title: '管理后台' } },
  { path: '/admin/cards', component: () => import('../pages/admin/Cards.vue'), meta: { roles: ['admin'], title: '英才卡管理' } },
  { path: '/admin/venues', component: () => import('../pages/admin/Venues.vue'), meta: { roles: ['admin'], title: '场所与引导图' } },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export const router = createRouter({
  history: createWebHashHistory(),
  routes,
  scrollBehavior: (to, from, saved) => saved || { top: 0 },
})

const TITLE = import.meta.env.VITE_APP_TITLE || '威海英才卡'

router.beforeEach(async (to) => {
  const auth = useAuthStore()
  if (to.meta.public) return true
  if (!auth.loggedIn) {
    return { path: '/login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  }
  try {
    await auth.ensureUser()
  } catch {
    // a 401 was handled by the client's handler; anything else: back to login to try again
    return auth.loggedIn ? true : { path: '/login', query: { redirect: to.fullPath } }
  }
  if (to.name === 'home') return auth.homePath
  const needed = to.meta.roles
  if (needed && !needed.some((r) => auth.roles.includes(r))) {
    showToast('您没有访问该页面的权限')
    return auth.homePath
  }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} - ${TITLE}` : TITLE
})
