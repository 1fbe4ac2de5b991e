// The rectify / revisit dialogs' calls, shared by the window staff's and the admins' pages.
import * as api from '../api'
import { attempt, refreshOnConflict } from './feedback'

/** Send one follow-up step; a stale version reloads the list with a message. Resolves true on success. */
export async function followupStep(kind, row, fields, reload) {
  const send = kind === 'rectify' ? api.rectify : api.revisit
  const done = await attempt(() => send(row.id, { ...fields, version: row.version }), {
    ok: kind === 'rectify' ? '已提交整改情况' : '已记录回访',
    onError: refreshOnConflict(reload),
  })
  if (done) await reload()
  return done
}
