// Labels of the application form's fields (seed 002's 申领表), for the reviewer's one-screen view.
// A field the server adds later still shows, under its key, so the reviewer sees every field.
import { ID_TYPES } from '../../src/utils/format'

export const SECTIONS = [
  ['personal', '个人信息'],
  ['education', '学历学位'],
  ['employer', '工作单位'],
  ['talent', '人才类别'],
]

export const LABELS = {
  name: '姓名', gender: '性别', ethnicity: '民族', birth_date: '出生日期', id_type: '证件类型', id_number: '证件号码',
  phone: '手机号', email: '电子邮箱', nationality: '国籍', native_place: '籍贯', residence: '居住地址',
  school: '毕业院校', major: '专业', degree: '学历学位', graduated_at: '毕业时间',
  association_code: '单位关联代码', district: '所在区市', is_city_level: '市直单位', position: '职务', credit_code: '统一社会信用代码',
  category: '人才类别', title: '职称', honor_title: '主要荣誉称号', card_level: '申领卡类别', relation: '关系', wants_card: '申领副卡',
}

export function display(key, value) {
  if (value === true) return '是'
  if (value === false) return '否'
  if (value === null || value === undefined || value === '') return '—'
  if (key === 'id_type') return (ID_TYPES.find((t) => t.value === value) || {}).text || value
  if (key === 'card_level') return `${value}类`
  if (Array.isArray(value)) return value.map((v) => (v && typeof v === 'object' ? Object.values(v).filter((x) => x !== '' && x !== null).join(' ') : v)).join('；')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

// a key whose label depends on the section (the employer's `name` is its 单位名称, not a person's 姓名)
const SECTION_LABELS = { employer: { name: '单位名称' } }

/** [{key, label, value}] of one section of the form, every field in it. */
export function fieldsOf(section, sectionKey) {
  const own = SECTION_LABELS[sectionKey] || {}
  return Object.entries(section || {}).map(([key, value]) => ({ key, label: own[key] || LABELS[key] || key, value: display(key, value) }))
}

/** The form's top-level entries that are not a known section, materials, family or the photo. */
export function otherFields(form) {
  const skip = new Set([...SECTIONS.map((s) => s[0]), 'materials', 'family', 'photo_file_id'])
  const extra = { achievements: '主要业绩', history: '工作经历', honors: '其他荣誉', remarks: '备注' }
  return Object.entries(form || {})
    .filter(([k]) => !skip.has(k))
    .map(([key, value]) => ({ key, label: extra[key] || LABELS[key] || key, value: display(key, value) }))
}

/** 常用语: opinions reviewers type again and again. */
export const COMMON_OPINIONS = {
  approve: ['材料齐全，符合条件，同意。', '经审核，符合申领条件，同意通过。'],
  return: ['照片不符合要求，请上传近期免冠证件照。', '证明材料不清晰，请重新上传。', '请补充学历学位证明材料。', '工作单位信息有误，请核实后重新提交。'],
  reject: ['不符合英才卡申领条件。', '荣誉称号不在认定范围内。'],
}
