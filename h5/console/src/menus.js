// The console's left menu by role. Each entry is a route; a multi-role account sees the union.
export const MENU = [
  {
    title: '窗口业务',
    roles: ['window_staff', 'admin'],
    items: [
      { path: '/appointments', title: '综合查询', roles: ['window_staff', 'admin'] },
      { path: '/followups', title: '好差评整改', roles: ['window_staff'] },
    ],
  },
  {
    title: '单位服务',
    roles: ['employer'],
    items: [
      { path: '/employer/profile', title: '单位信息', roles: ['employer'] },
      { path: '/employer/links', title: '关联申请', roles: ['employer'] },
    ],
  },
  {
    title: '申领审核',
    roles: ['reviewer', 'employer'],
    items: [
      // employer staff review their own stage (单位审核) with the reviewers' workbench
      { path: '/review', title: '审核工作台', roles: ['reviewer', 'employer'] },
      { path: '/review/processed', title: '人才管理', roles: ['reviewer'] },
      { path: '/admin/employers', title: '单位注册审核', roles: ['reviewer'] },
    ],
  },
  {
    title: '英才卡',
    roles: ['admin'],
    items: [
      { path: '/admin/cards', title: '卡片管理', roles: ['admin'] },
      { path: '/admin/accounts', title: '账号管理', roles: ['admin'] },
      { path: '/admin/orgs', title: '单位与审批路由', roles: ['admin'] },
      { path: '/admin/employers', title: '单位注册审核', roles: ['admin'] },
      { path: '/admin/publicity', title: '公示', roles: ['admin'] },
      { path: '/admin/calendar', title: '工作日历', roles: ['admin'] },
    ],
  },
  {
    title: '绿色通道',
    roles: ['admin'],
    items: [
      { path: '/admin/services', title: '服务事项', roles: ['admin'] },
      { path: '/admin/windows', title: '服务窗口', roles: ['admin'] },
      { path: '/admin/listings', title: '资源与公告', roles: ['admin'] },
      { path: '/admin/venues', title: '服务场所', roles: ['admin'] },
      { path: '/admin/followups', title: '好差评', roles: ['admin'] },
    ],
  },
  {
    title: '统计分析',
    roles: ['admin'],
    items: [{ path: '/admin/stats', title: '统计报表', roles: ['admin'] }],
  },
]

export const CONSOLE_ROLES = ['admin', 'window_staff', 'reviewer', 'employer']

/** The menu groups and items one account sees. */
export function menuFor(roles = []) {
  const has = (list) => list.some((r) => roles.includes(r))
  // an entry shown under an earlier group (an admin who is also a reviewer) is not repeated
  const seen = new Set()
  return MENU.filter((g) => has(g.roles))
    .map((g) => ({ ...g, items: g.items.filter((i) => has(i.roles) && !seen.has(i.path) && seen.add(i.path)) }))
    .filter((g) => g.items.length)
}

// each role's landing page, in the order a multi-role account is taken to them
const HOMES = [
  ['admin', '/admin/stats'],
  ['reviewer', '/review'],
  ['window_staff', '/appointments'],
  ['employer', '/employer/profile'],
]

/** Where an account lands after login (null: no console role). */
export function consoleHome(roles = []) {
  const hit = HOMES.find(([role]) => roles.includes(role))
  return hit ? hit[1] : null
}

/** May these roles open a route whose meta.roles is `needed`? */
export function allowed(roles = [], needed) {
  return !needed || !needed.length || needed.some((r) => roles.includes(r))
}
