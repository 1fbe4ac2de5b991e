import { ref } from 'vue'
import { showFailToast } from 'vant'

/** Show an API error's Chinese message (a 401 is handled by the client's handler: say nothing more). */
export function showError(err) {
  if (!err) return
  if (err.status === 401) return
  const message = err.message || '操作失败，请稍后再试'
  showFailToast({ message, duration: 2500 })
}

/**
 * Wrap an async function with a loading flag and an error shown as a toast.
 * const { loading, error, data, run } = useRequest(fn, { initial })
 */
export function useRequest(fn, { initial = null, toast = true } = {}) {
  const loading = ref(false)
  const error = ref(null)
  const data = ref(initial)
  let seq = 0
  async function run(...args) {
    const mine = ++seq
    loading.value = true
    error.value = null
    try {
      const result = await fn(...args)
      if (mine === seq) data.value = result
      return result
    } catch (e) {
      if (mine === seq) error.value = e
      if (toast) showError(e)
      throw e
    } finally {
      if (mine === seq) loading.value = false
    }
  }
  /** run() without rethrowing: for loads whose error is shown on the page. */
  const load = (...args) => run(...args).catch(() => undefined)
  return { loading, error, data, run, load }
}
