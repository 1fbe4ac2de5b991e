/** A mainland mobile number as the SMS login takes it: 1 and ten more digits. */
export const PHONE_PATTERN = /^1[0-9]{10}$/

const pad = (n) => String(n).padStart(2, '0')

/** 2026-11-23T09:30:00+08:00 → 2026-11-23 09:30 (the wall time of the offset given). */
export function formatTime(iso, { seconds = false } = {}) {
  if (!iso) return ''
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(iso)
  if (m) return `${m[1]} ${m[2]}:${m[3]}${seconds ? `:${m[4]}` : ''}`
  return iso
}

export function formatDate(iso) {
  return iso ? String(iso).slice(0, 10) : ''
}

/** A Date as the clock a clerk reads: 2026-11-23 09:30:05 */
export function clock(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(
    date.getMinutes(),
  )}:${pad(date.getSeconds())}`
}

export function todayISO(date = new Date()) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}

export const CARD_STATUS = {
  active: { text: '正常', type: 'success' },
  disabled: { text: '已停用', type: 'danger' },
  expired: { text: '已过期', type: 'warning' },
}

export const APPOINTMENT_STATUS = {
  submitted: { text: '待受理', type: 'primary' },
  accepted: { text: '待预审', type: 'primary' },
  prereviewed: { text: '待办结', type: 'primary' },
  completed: { text: '已办结', type: 'success' },
  returned: { text: '已退回', type: 'warning' },
  cancelled: { text: '已取消', type: 'default' },
}

export const APPLICATION_STATUS = {
  draft: { text: '草稿', type: 'default' },
  submitted: { text: '正在审批', type: 'primary' },
  correction_required: { text: '材料补正', type: 'warning' },
  publicizing: { text: '公示中', type: 'primary' },
  approved: { text: '审批通过', type: 'success' },
  rejected: { text: '不予受理', type: 'danger' },
  withdrawn: { text: '已撤回', type: 'default' },
}

export const APPLICATION_TYPES = [
  { value: 'new', text: '新办' },
  { value: 'renew', text: '续办' },
  { value: 'replace', text: '补办' },
  { value: 'change', text: '变更' },
]

export const SERVICE_CATEGORIES = [
  { value: 'onsite', text: '现场服务' },
  { value: 'appointment', text: '预约服务' },
  { value: 'project', text: '项目申报' },
  { value: 'other', text: '其他服务' },
]

export const LISTING_KINDS = [
  { value: '', text: '全部' },
  { value: 'notice', text: '通报公告' },
  { value: 'demand', text: '企业需求' },
  { value: 'project', text: '人才项目' },
  { value: 'platform', text: '平台载体' },
]

export const ID_TYPES = [
  { value: 'resident_id', text: '居民身份证' },
  { value: 'passport', text: '护照' },
  { value: 'hk_macao_pass', text: '港澳居民来往内地通行证' },
  { value: 'taiwan_pass', text: '台湾居民来往大陆通行证' },
  { value: 'foreign_permit', text: '外国人永久居留身份证' },
]

export const STAFF_ACTIONS = {
  accept: '受理',
  prereview: '预审',
  complete: '办结',
  forward: '转办',
  return: '退回',
}

/** Which actions a clerk may take on an appointment in each state (SPEC §5). */
export const ACTIONS_BY_STATUS = {
  submitted: ['accept', 'forward', 'return'],
  accepted: ['prereview', 'forward', 'return'],
  prereviewed: ['complete'],
}

export const VERDICT_OK = 'ok'
