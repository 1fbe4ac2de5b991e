// Messages and confirmations in one place (Element Plus), so pages say things the same way.
import { ElMessage, ElMessageBox } from 'element-plus'

export function showError(e) {
  ElMessage({ type: 'error', message: (e && e.message) || '操作失败，请稍后再试', grouping: true })
}

export function showOk(message) {
  ElMessage({ type: 'success', message })
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
