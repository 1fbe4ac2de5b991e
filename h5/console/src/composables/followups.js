// The rectify / revisit dialogs' calls, shared by the window staff's and the admins' pages.
import * as api from '../api'
import { showError, showOk } from './feedback'

/** Send one follow-up step; a stale version reloads the list with a message. Resolves true on success. */
export async function followupStep(kind, row, fields, reload) {
  try {
    await (kind === 'rectify' ? api.rectify(row.id, { ...fields, version: row.version }) : api.revisit(row.id, { ...fields, version: row.version }))
    showOk(kind === 'rectify' ? '已提交整改情况' : '已记录回访')
    await reload()
    return true
  } catch (e) {
    if (e.code === 'VERSION_CONFLICT') {
      showError({ message: `${e.message}（已刷新为最新状态）` })
      await reload()
    } else showError(e)
    return false
  }
}
