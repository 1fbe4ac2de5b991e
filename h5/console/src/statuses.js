// The console's own status maps (StatusTag's shape {value: {text, type}}) and select options;
// the H5's maps are in src/utils/format.
export const ACTIVE_STATUS = { active: { text: '启用', type: 'success' }, inactive: { text: '停用', type: 'default' } }
export const VENUE_STATUS = { active: ACTIVE_STATUS.active, disabled: ACTIVE_STATUS.inactive }
export const ACCOUNT_STATUS = { active: { text: '正常', type: 'success' }, disabled: { text: '已停用', type: 'danger' } }
export const LEVEL_NAMES = { A: 'A类', B: 'B类', C: 'C类' }

/**
 * A select's options as [{value, text}] from any of the house's shapes: [{value, text}], records
 * [{id, name}], {value: text}, a status map {value: {text}}, or plain [value].
 */
export function optionItems(options) {
  if (!Array.isArray(options)) return Object.entries(options).map(([value, v]) => ({ value, text: typeof v === 'object' ? v.text : v }))
  return options.map((o) => (typeof o === 'object' ? { value: String(o.value ?? o.id), text: o.text ?? o.name } : { value: o, text: o }))
}
