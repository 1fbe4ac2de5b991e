import { ref } from 'vue'
import { showConfirmDialog, showSuccessToast } from 'vant'
import { showError } from './useRequest'

/**
 * A button's action: an optional confirm dialog, a busy flag while it runs, a toast on success
 * and the error shown once.
 *
 *   const { busy, act } = useAction()
 *   act(() => cancelAppointment(id, version), {
 *     confirm: { title: '取消预约', message: '确定取消该预约吗？' }, // declined: nothing happens
 *     success: '预约已取消',           // or (result) => text
 *     then: () => load(),              // after the toast
 *     errorMessage: (e) => text,       // the message to show instead of the error's own
 *     onError: (e) => …,               // after the error is shown
 *     onConflict: () => load(),        // after a VERSION_CONFLICT is shown: the object as it is now
 *     key: card.card_no,               // what `busy` holds while it runs (default true)
 *   })
 *
 * `act` resolves to the action's result, or undefined when it was declined or failed; it never
 * rejects. `busy` is false when idle.
 */
export function useAction() {
  const busy = ref(false)
  async function act(fn, { confirm, success, then, errorMessage, onError, onConflict, key = true } = {}) {
    if (confirm) {
      try {
        await showConfirmDialog(confirm)
      } catch {
        return undefined
      }
    }
    busy.value = key
    try {
      const result = await fn()
      if (success) showSuccessToast(typeof success === 'function' ? success(result) : success)
      if (then) await then(result)
      return result
    } catch (e) {
      showError(errorMessage ? { ...e, message: errorMessage(e) } : e)
      if (onError) await onError(e)
      if (onConflict && e && e.code === 'VERSION_CONFLICT') await onConflict(e)
      return undefined
    } finally {
      busy.value = false
    }
  }
  return { busy, act }
}
