// Filters kept in the URL: the pure half (no Vue, no router), unit-tested in tests/unit/console.

/** The filters a route query names, over the defaults (unknown keys are ignored). */
export function filtersFromQuery(query, defaults) {
  const out = { ...defaults }
  for (const key of Object.keys(defaults)) {
    const v = query[key]
    if (v === undefined || v === null) continue
    out[key] = Array.isArray(v) ? String(v[0] ?? '') : String(v)
  }
  return out
}

/** The route query for some filters: empty values and values equal to the default are left out. */
export function queryFromFilters(filters, defaults) {
  const out = {}
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === null || value === '') continue
    if (defaults && String(defaults[key] ?? '') === String(value)) continue
    out[key] = String(value)
  }
  return out
}

/**
 * Keyset paging: the API answers `next_cursor`; going back needs the cursors of the pages seen.
 * `stack[i]` is the cursor that loaded page i (page 0: none).
 */
export function createPager() {
  let stack = ['']
  let next = null
  return {
    get page() {
      return stack.length - 1
    },
    get cursor() {
      return stack[stack.length - 1]
    },
    get hasNext() {
      return !!next
    },
    get hasPrev() {
      return stack.length > 1
    },
    /** Record what the current page's answer says comes next. */
    loaded(nextCursor) {
      next = nextCursor || null
    },
    forward() {
      if (!next) return false
      stack.push(next)
      next = null
      return true
    },
    back() {
      if (stack.length <= 1) return false
      stack.pop()
      next = null
      return true
    },
    reset() {
      stack = ['']
      next = null
    },
  }
}
