// Employers' registrations: which actions each status offers (the API's transitions), unit-tested.

export const EMPLOYER_STATUS = {
  pending: { text: '待审核', type: 'warning' },
  active: { text: '已入库', type: 'success' },
  rejected: { text: '已退回', type: 'danger' },
  disabled: { text: '已停用', type: 'default' },
}

export const LINK_STATUS = {
  pending: { text: '待单位确认', type: 'warning' },
  approved: { text: '已关联', type: 'success' },
  rejected: { text: '单位未同意', type: 'danger' },
  cancelled: { text: '已取消', type: 'default' },
}

// server/employers/service.py _TRANSITIONS: approve from pending or disabled, reject from pending, disable from active
const ACTIONS = {
  pending: [
    { action: 'approve', text: '通过', type: 'success' },
    { action: 'reject', text: '退回', type: 'danger' },
  ],
  active: [{ action: 'disable', text: '停用', type: 'danger' }],
  disabled: [{ action: 'approve', text: '恢复', type: 'success' }],
  rejected: [],
}

/** The buttons a registration in `status` shows. */
export function employerActions(status) {
  return ACTIONS[status] || []
}
