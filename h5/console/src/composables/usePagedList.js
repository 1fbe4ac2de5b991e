import { reactive, ref, shallowRef, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { createPager, filtersFromQuery, queryFromFilters } from './listQuery'
import { showError } from './feedback'

/**
 * A server-side paged list whose filters live in the URL (a reload or a shared link shows the same
 * list). `fetcher(query)` answers `{items, next_cursor}`; `search()` applies the filters (first page).
 */
export function usePagedList(fetcher, defaults, { limit = 20, immediate = true } = {}) {
  const route = useRoute()
  const router = useRouter()
  const filters = reactive(filtersFromQuery(route.query, defaults))
  const items = shallowRef([])
  const loading = ref(false)
  const pager = createPager()
  const page = ref(0)
  const hasNext = ref(false)
  const hasPrev = ref(false)
  let seq = 0

  function applied() {
    return queryFromFilters(filtersFromQuery(route.query, defaults), {})
  }

  async function load() {
    const mine = ++seq
    loading.value = true
    try {
      const body = await fetcher({ ...applied(), cursor: pager.cursor || undefined, limit })
      if (mine !== seq) return
      items.value = body.items || []
      pager.loaded(body.next_cursor)
    } catch (e) {
      if (mine === seq) showError(e)
    } finally {
      if (mine === seq) {
        loading.value = false
        page.value = pager.page
        hasNext.value = pager.hasNext
        hasPrev.value = pager.hasPrev
      }
    }
  }

  function search() {
    const query = queryFromFilters(filters, defaults)
    pager.reset()
    const same = JSON.stringify(query) === JSON.stringify(queryFromFilters(filtersFromQuery(route.query, defaults), defaults))
    if (same) return load()
    return router.replace({ query: { ...otherQuery(), ...query } })
  }

  function otherQuery() {
    const rest = {}
    for (const [k, v] of Object.entries(route.query)) if (!(k in defaults)) rest[k] = v
    return rest
  }

  function resetFilters() {
    Object.assign(filters, defaults)
    return search()
  }

  // the URL changed (search(), back/forward, a link): load its filters
  watch(
    () => JSON.stringify(filtersFromQuery(route.query, defaults)),
    () => {
      Object.assign(filters, filtersFromQuery(route.query, defaults))
      pager.reset()
      load()
    },
  )

  if (immediate) load()

  return {
    filters,
    items,
    loading,
    page,
    hasNext,
    hasPrev,
    load,
    search,
    resetFilters,
    /** The applied filters (what an export sends). */
    applied,
    next: () => pager.forward() && load(),
    prev: () => pager.back() && load(),
    reload: load,
  }
}
