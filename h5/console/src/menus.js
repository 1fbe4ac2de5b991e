// The console's left menu by role. Each entry is a route; a multi-role account sees the union.
// (Employers and publicity have no backend yet, so they have no screens here.)
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
    title: '申领审核',
    roles: ['reviewer'],
    items: [
      { path: '/review', title: '审核工作台', roles: ['reviewer'] },
      { path: '/review/processed', title: '人才管理', roles: ['reviewer'] },
    ],
  },
  {
    title: '英才卡',
    roles: ['admin'],
    items: [
      { path: '/admin/cards', title: '卡片管理', roles: ['admin'] },
      { path: '/admin/accounts', title: '账号管理', roles: ['admin'] },
      { path: '/admin/orgs', title: '单位与审批路由', roles: ['admin'] },
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

export const CONSOLE_ROLES = ['admin', 'window_staff', 'reviewer']

/** The menu groups and items one account sees. */
export function menuFor(roles = []) {
  const has = (list) => list.some((r) => roles.includes(r))
  return MENU.filter((g) => has(g.roles))
    .map((g) => ({ ...g, items: g.items.filter((i) => has(i.roles)) }))
    .filter((g) => g.items.length)
}

// each role's landing page, in the order a multi-role account is taken to them
const HOMES = [
  ['admin', '/admin/stats'],
  ['reviewer', '/review'],
  ['window_staff', '/appointments'],
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
