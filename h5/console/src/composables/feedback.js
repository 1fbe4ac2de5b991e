// Messages and confirmations in one place (Element Plus), so pages say things the same way.
import { ElMessage, ElMessageBox } from 'element-plus'

export function showError(e) {
  ElMessage({ type: 'error', message: (e && e.message) || '操作失败，请稍后再试', grouping: true })
}

export function showOk(message) {
  ElMessage({ type: 'success', message })
}

/**
 * Run one call with the house's feedback, the one place of the console's try/catch: `busy` (a ref) is
 * true while it runs; on success `ok` (a text, or a function of the call's value) is shown; on failure
 * `onError(e)` handles the error, by default its message is shown. Resolves true on success, else false.
 */
export async function attempt(run, { ok, busy, onError = showError } = {}) {
  if (busy) busy.value = true
  try {
    const value = await run()
    if (ok) showOk(typeof ok === 'function' ? ok(value) : ok)
    return true
  } catch (e) {
    await onError(e)
    return false
  } finally {
    if (busy) busy.value = false
  }
}

/**
 * An onError for attempt() where someone else may have moved the record on: an error of one of
 * `codes` is said with `note` after its message and answered by `refresh()`; any other is shown.
 */
export function refreshOnConflict(refresh, { note = '（已刷新为最新状态）', codes = ['VERSION_CONFLICT'] } = {}) {
  return async (e) => {
    if (!codes.includes(e.code)) return showError(e)
    showError({ message: `${e.message}${note}` })
    await refresh()
  }
}

/** Ask before anything destructive; resolves true when confirmed. */
export async function confirmDanger(message, title = '请确认') {
  try {
    await ElMessageBox.confirm(message, title, { type: 'warning', confirmButtonText: '确定', cancelButtonText: '取消' })
    return true
  } catch {
    return false
  }
}

/** Ask for a required reason (停用、启用 …); resolves the text, or null when cancelled. */
export async function askReason(message, title, { required = true, placeholder = '请填写原因' } = {}) {
  try {
    const { value } = await ElMessageBox.prompt(message, title, {
      confirmButtonText: '确定',
      cancelButtonText: '取消',
      inputType: 'textarea',
      inputPlaceholder: placeholder,
      inputValidator: (v) => (!required || (v && v.trim()) ? true : '请填写原因'),
    })
    return (value || '').trim()
  } catch {
    return null
  }
}

/**
 * 停用 (when `disabling`, the reason required) or 启用 (optional) with a reason: asks with
 * `message(verb)` under the title verb + `what`, then `send(reason)` through attempt(). Resolves true when done.
 */
export async function switchWithReason(disabling, what, message, send) {
  const verb = disabling ? '停用' : '启用'
  const reason = await askReason(message(verb), `${verb}${what}`, { required: disabling })
  if (reason === null) return false
  return attempt(() => send(reason), { ok: `已${verb}` })
}

/** Save a Blob under a file name through a temporary link. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10000)
}
