// The console's own status maps (StatusTag's shape {value: {text, type}}); the H5's are in src/utils/format.
export const ACTIVE_STATUS = { active: { text: '启用', type: 'success' }, inactive: { text: '停用', type: 'default' } }
export const VENUE_STATUS = { active: ACTIVE_STATUS.active, disabled: ACTIVE_STATUS.inactive }
export const ACCOUNT_STATUS = { active: { text: '正常', type: 'success' }, disabled: { text: '已停用', type: 'danger' } }
export const LEVEL_NAMES = { A: 'A类', B: 'B类', C: 'C类' }
