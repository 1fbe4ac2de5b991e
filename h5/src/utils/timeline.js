// The API's history and stage rows as HistoryTimeline entries.

const windowName = (w) => (w ? w.name || w : '')

/** An appointment's handling history (actor, action, opinion, windows, time), oldest first. */
export function appointmentTimeline(history) {
  return (history || []).map((h) => ({
    class: 'record',
    title: h.action_name || h.action,
    aside: h.actor_name,
    lines: h.from_window || h.to_window ? [`${windowName(h.from_window)} → ${windowName(h.to_window)}`] : [],
    opinion: h.opinion,
    at: h.at,
  }))
}

/** Every round of an application's review, 退回 and its opinion included; newest first. */
export function applicationTimeline(history) {
  return (history || [])
    .slice()
    .reverse()
    .map((h) => ({ class: 'record', title: h.action_name, aside: h.actor_name, opinion: h.opinion, opinionLabel: '审核意见', at: h.at }))
}

export const STAGE_STATE_TEXT = { done: '已完成', current: '办理中', pending: '待办理', returned: '退回补正', rejected: '不予受理' }

/** An application's stages (the latest state of each), in order. */
export function stageTimeline(stages) {
  return (stages || []).map((s) => ({
    title: s.name,
    aside: STAGE_STATE_TEXT[s.state] || s.state,
    asideClass: ['state', s.state],
    class: ['stage', `state-${s.state}`],
    lines: [s.org_name, s.actor_name && `经办人：${s.actor_name}`].filter(Boolean),
    opinion: s.opinion,
    at: s.at,
  }))
}

/** The stage being worked on (the first not done), or the last when all are done. */
export function activeStage(stages) {
  const list = stages || []
  const i = list.findIndex((s) => s.state !== 'done')
  return i === -1 ? list.length - 1 : i
}
