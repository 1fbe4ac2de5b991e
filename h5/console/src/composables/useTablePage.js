import { reactive, ref } from 'vue'
import { usePagedList } from './usePagedList'
import { attempt, confirmDanger } from './feedback'

/**
 * The admin table page in one piece: a usePagedList() (filters in the URL → table → pager), an edit
 * dialog over one form (new or edit), its save, and the row actions (停用/启用, 删除 …), each with the
 * house's feedback (see attempt()). Every option but `fetch` is optional:
 *
 * - `fetch(query)`, `filters` (the defaults), `limit`: the list (usePagedList)
 * - `blank()`: a new form; `fromRow(record)`: the form's fields of a record being edited
 * - `read(row)`: the full record to edit, where the list's row is not enough
 * - `toBody(form, editing, ...args)`: what save(...args) sends; by default a copy of the form
 * - `create(body)`, `update(record, body)`: the calls; `saved`: the message (or a function of save's args)
 * - `onSaveError(e, list)`: where a failed save needs more than its message shown
 */
export function useTablePage({
  fetch,
  filters = {},
  limit,
  blank = () => ({}),
  fromRow = (record) => record,
  read,
  toBody = (form) => ({ ...form }),
  create,
  update,
  saved = '已保存',
  onSaveError,
}) {
  const list = usePagedList(fetch, filters, limit ? { limit } : undefined)
  const dialog = ref(false)
  const editing = ref(null) // the record being edited, null when creating
  const form = reactive(blank())
  const saving = ref(false)

  function openCreate() {
    editing.value = null
    Object.assign(form, blank())
    dialog.value = true
  }

  async function openEdit(row) {
    let record = row
    if (read && !(await attempt(async () => (record = await read(row))))) return false
    editing.value = record
    Object.assign(form, blank(), fromRow(record))
    dialog.value = true
    return true
  }

  async function save(...args) {
    const record = editing.value
    const body = toBody(form, record, ...args)
    const done = await attempt(() => (record ? update(record, body) : create(body)), {
      ok: typeof saved === 'function' ? saved(...args) : saved,
      busy: saving,
      onError: onSaveError && ((e) => onSaveError(e, list)),
    })
    if (done) {
      dialog.value = false
      list.reload()
    }
    return done
  }

  /** A row action: asks first when `confirm` (a question) is given, then runs, says `ok`, reloads the list. */
  async function act(run, { confirm, ok } = {}) {
    if (confirm && !(await confirmDanger(confirm))) return false
    const done = await attempt(run, { ok })
    if (done) list.reload()
    return done
  }

  /** 停用/启用 a row by its status ('active' or `off`) through update(); asks before switching it off. */
  function toggle(row, { confirm, off = 'inactive' } = {}) {
    const disabling = row.status === 'active'
    return act(() => update(row, { status: disabling ? off : 'active' }), { confirm: disabling && confirm, ok: disabling ? '已停用' : '已启用' })
  }

  return { list, filters: list.filters, dialog, editing, form, saving, openCreate, openEdit, save, act, toggle }
}
