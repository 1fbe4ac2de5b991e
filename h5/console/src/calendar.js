// The working-day calendar's pure half: a year's days (GET /admin/calendar) as month grids, unit-tested.

export const KIND_TEXT = { holiday: '放假', workday: '调休上班', normal: '按星期' }
export const SOURCE_TEXT = { admin: '管理员设置', shipped: '国务院安排', weekday: '按星期' }
export const WEEK_HEAD = ['一', '二', '三', '四', '五', '六', '日']

/**
 * The days of one month (1–12) as weeks of seven cells, Monday first; the cells before the 1st and
 * after the last day are null. `days` is the API's list (`date` as YYYY-MM-DD).
 */
export function monthGrid(days, month) {
  const mm = String(month).padStart(2, '0')
  const mine = days.filter((d) => d.date.slice(5, 7) === mm)
  if (!mine.length) return []
  const [y, m, dd] = mine[0].date.split('-').map(Number)
  const lead = (new Date(Date.UTC(y, m - 1, dd)).getUTCDay() + 6) % 7 // Monday = 0
  const cells = [...Array(lead).fill(null), ...mine]
  while (cells.length % 7) cells.push(null)
  const weeks = []
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7))
  return weeks
}

/** A day's look in the grid: a rest day (weekend or holiday), a 调休 working weekend, or plain. */
export function dayClass(day) {
  if (!day) return 'empty'
  const weekend = day.weekday === '周六' || day.weekday === '周日'
  if (!day.working) return day.kind === 'holiday' ? 'holiday' : 'rest'
  return weekend ? 'workday' : 'work'
}

/** Counts of one month: working days and rest days. */
export function monthCounts(days, month) {
  const mm = String(month).padStart(2, '0')
  const mine = days.filter((d) => d.date.slice(5, 7) === mm)
  const working = mine.filter((d) => d.working).length
  return { working, rest: mine.length - working }
}
