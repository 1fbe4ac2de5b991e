// The card-application form's shape (server/applications/schemas.py) and its error messages.

export function emptyForm() {
  return {
    personal: {
      name: '',
      gender: null,
      ethnicity: '',
      birth_date: '',
      nationality: '中国',
      native_place: '',
      id_type: 'resident_id',
      id_number: '',
      phone: '',
      email: '',
      residence: '',
    },
    education: { school: '', major: '', degree: '' },
    employer: { name: '', association_code: '', is_city_level: null, district: '', position: '' },
    talent: { category: '', title: '', honor_title: '', card_level: null },
    history: [],
    achievements: '',
    family: [],
    materials: [],
    photo_file_id: null,
    declaration_accepted: false,
  }
}

/** The server's form (nulls, missing parts) merged over an empty one, so every input has a value. */
export function normaliseForm(server = {}) {
  const base = emptyForm()
  const out = { ...base }
  for (const part of ['personal', 'education', 'employer', 'talent']) {
    out[part] = { ...base[part] }
    for (const [k, v] of Object.entries(server[part] || {})) {
      if (v !== null && v !== undefined) out[part][k] = v
    }
  }
  out.history = (server.history || []).map((h) => ({ start: '', end: '', org: '', role: '', ...h }))
  out.family = (server.family || []).map((f) => ({
    name: '',
    id_number: '',
    relation: '配偶',
    ...f,
    id_number: f.id_number || '',
    wants_card: !!f.wants_card,
  }))
  out.materials = (server.materials || []).map((m) => ({ kind: m.kind, file_id: String(m.file_id) }))
  out.achievements = server.achievements || ''
  out.photo_file_id = server.photo_file_id ? String(server.photo_file_id) : null
  out.declaration_accepted = !!server.declaration_accepted
  return out
}

/** The material kinds required for this form now: the type's own, plus the 副卡 documents as soon as
 * a family member is marked for a dependent card (the server's rule, server/applications/materials.py). */
export function requiredKinds(catalog, type, form) {
  const out = new Set((catalog || []).filter((m) => (m.required_for || []).includes(type)).map((m) => m.kind))
  if ((form.family || []).some((f) => f.wants_card)) out.add('family_id')
  return out
}

/** The message of a MATERIALS_MISSING error: the server's message already names the items. */
export function missingMessage(err, nameOf) {
  const missing = (err.details && err.details.missing) || []
  const names = missing.map((m) => (typeof m === 'string' ? nameOf(m) : m.name || m.kind))
  if (!names.length || names.every((n) => (err.message || '').includes(n))) return err.message
  return `${err.message}：${names.join('、')}`
}

/** An INVALID_REQUEST's first field message, else the error's own message. */
export function fieldErrorMessage(err) {
  const fields = err && err.details && err.details.fields
  if (fields && typeof fields === 'object') {
    const first = Object.values(fields)[0]
    if (first) return `${err.message}：${first}`
  }
  return (err && err.message) || '保存失败，请稍后再试'
}

/** What PUT/POST send: a plain copy where an empty input is null (a date or a choice cannot be ''). */
export function toPayload(form) {
  const out = JSON.parse(JSON.stringify(form))
  for (const part of ['personal', 'education', 'employer', 'talent']) {
    for (const [k, v] of Object.entries(out[part])) {
      if (v === '') out[part][k] = null
    }
  }
  if (out.achievements === '') out.achievements = null
  return out
}
