// Dates as a Chinese reader writes them, and the Chinese names of the contract's states.
const pad = (n) => String(n).padStart(2, '0')

/** 2026-11-23T09:30:00+08:00 → 2026年11月23日 09:30 (the wall time of the offset given). */
function formatTime(iso, seconds) {
  if (!iso) return ''
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2}):([0-9]{2}))?/.exec(String(iso))
  if (!m) return String(iso)
  const day = `${m[1]}年${m[2]}月${m[3]}日`
  if (!m[4]) return day
  return `${day} ${m[4]}:${m[5]}${seconds ? `:${m[6]}` : ''}`
}

function formatDate(iso) {
  return iso ? formatTime(String(iso).slice(0, 10)) : ''
}

/** A Date as the clock on the check-in screen: 2026年11月23日 09:30:05 */
function clock(date) {
  return `${date.getFullYear()}年${pad(date.getMonth() + 1)}月${pad(date.getDate())}日 ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
}

function todayISO(date) {
  const d = date || new Date()
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

const CARD_STATUS = { active: '正常', disabled: '已停用', expired: '已过期' }

const APPOINTMENT_STATUS = {
  submitted: '待受理',
  accepted: '待预审',
  prereviewed: '待办结',
  completed: '已办结',
  returned: '已退回',
  cancelled: '已取消',
}

// the same states as the holder sees them: his request has been accepted (受理), pre-reviewed (预审) …
const HOLDER_APPOINTMENT_STATUS = {
  ...APPOINTMENT_STATUS,
  accepted: '已受理',
  prereviewed: '已预审',
}

const APPLICATION_STATUS = {
  draft: '草稿',
  submitted: '正在审批',
  correction_required: '材料补正',
  approved: '审批通过',
  publicizing: '公示中',
  rejected: '不予受理',
  withdrawn: '已撤回',
}

const APPLICATION_TYPES = { new: '新办', renew: '续办', replace: '补办', change: '变更' }

const SERVICE_CATEGORIES = [
  { value: 'appointment', text: '预约服务' },
  { value: 'onsite', text: '现场服务' },
  { value: 'project', text: '项目申报' },
  { value: 'other', text: '其他服务' },
]

const STAFF_ACTIONS = { accept: '受理', prereview: '预审', complete: '办结', forward: '转办', return: '退回' }
const ACTIONS_BY_STATUS = {
  submitted: ['accept', 'forward', 'return'],
  accepted: ['prereview', 'forward', 'return'],
  prereviewed: ['complete'],
}
const HISTORY_ACTIONS = {
  submit: '提交预约', resubmit: '重新提交', cancel: '取消预约', rate: '评价', ...STAFF_ACTIONS,
}

/** History rows as van-steps items: {text, desc}. */
function historySteps(history) {
  return (history || []).map((h) => {
    const lines = []
    if (h.actor_name) lines.push(h.actor_name)
    const from = h.from_window && (h.from_window.name || h.from_window)
    const to = h.to_window && (h.to_window.name || h.to_window)
    if (from || to) lines.push(`${from || ''} → ${to || ''}`)
    if (h.opinion) lines.push(`意见：${h.opinion}`)
    lines.push(formatTime(h.at))
    return { text: h.action_name || HISTORY_ACTIONS[h.action] || h.action, desc: lines.join('　') }
  })
}

module.exports = {
  formatTime, formatDate, clock, todayISO, historySteps,
  CARD_STATUS, APPOINTMENT_STATUS, HOLDER_APPOINTMENT_STATUS, APPLICATION_STATUS, APPLICATION_TYPES, SERVICE_CATEGORIES, STAFF_ACTIONS, ACTIONS_BY_STATUS,
}
