import { reactive } from 'vue'
import { showError } from './useRequest'

/**
 * A cursor-paged list (`{items, next_cursor}` pages) for a Vant <van-list> (see PagedList.vue):
 * `more()` appends the next page, `reload()` starts again from the first (a new filter or search).
 * `fetchPage({ cursor, limit })` asks for one page. A failed page is shown once and marks the list
 * failed, so the list offers to retry.
 *
 *   const list = usePagedList((page) => listCards({ ...filters, ...page })) // the client drops empty values
 *   onMounted(list.reload)
 */
export function usePagedList(fetchPage, { limit = 20 } = {}) {
  let cursor = null
  let seq = 0
  const list = reactive({ items: [], loading: false, finished: false, failed: false, more, reload })

  async function more() {
    const mine = seq
    list.loading = true
    try {
      const res = await fetchPage({ cursor, limit })
      if (mine !== seq) return // a reload started meanwhile: this page belongs to the old list
      list.items.push(...res.items)
      cursor = res.next_cursor
      list.finished = !res.next_cursor
    } catch (e) {
      if (mine !== seq) return
      list.failed = true
      showError(e)
    } finally {
      if (mine === seq) list.loading = false
    }
  }

  function reload() {
    seq += 1
    list.items = []
    cursor = null
    list.finished = false
    list.failed = false
    return more()
  }

  return list
}
