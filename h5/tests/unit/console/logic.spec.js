// The console's pure parts: filters in the URL, keyset paging, role menus, chart data, Markdown.
import { describe, expect, it } from 'vitest'
import { createPager, filtersFromQuery, queryFromFilters } from '../../../console/src/composables/listQuery'
import { allowed, consoleHome, menuFor } from '../../../console/src/menus'
import { counts, pivot, pieOption } from '../../../console/src/charts'
import { renderMarkdown } from '../../../console/src/markdown'
import { fieldsOf, otherFields } from '../../../console/src/formLabels'

describe('filters in the URL', () => {
  const DEFAULTS = { status: '', overdue: '', tab: 'visits' }
  it('reads the known keys over the defaults and ignores the rest', () => {
    expect(filtersFromQuery({ overdue: 'true', evil: 'x', tab: ['month', 'day'] }, DEFAULTS)).toEqual({ status: '', overdue: 'true', tab: 'month' })
  })
  it('writes only what differs from the defaults', () => {
    expect(queryFromFilters({ status: 'submitted', overdue: '', tab: 'visits' }, DEFAULTS)).toEqual({ status: 'submitted' })
    expect(queryFromFilters({ status: '', overdue: 'true', tab: 'ratings' }, DEFAULTS)).toEqual({ overdue: 'true', tab: 'ratings' })
  })
  it('round-trips', () => {
    const f = { status: 'accepted', overdue: 'false', tab: 'cards' }
    expect(filtersFromQuery(queryFromFilters(f, DEFAULTS), DEFAULTS)).toEqual(f)
  })
})

describe('keyset pager', () => {
  it('goes forward with next_cursor and back through the cursors seen', () => {
    const p = createPager()
    expect([p.page, p.cursor, p.hasPrev, p.hasNext]).toEqual([0, '', false, false])
    p.loaded('40')
    expect(p.hasNext).toBe(true)
    expect(p.forward()).toBe(true)
    expect([p.page, p.cursor]).toEqual([1, '40'])
    p.loaded('20')
    p.forward()
    p.loaded(null)
    expect([p.page, p.cursor, p.hasNext]).toEqual([2, '20', false])
    expect(p.forward()).toBe(false)
    p.back()
    expect([p.page, p.cursor]).toEqual([1, '40'])
    p.reset()
    expect([p.page, p.cursor, p.hasPrev]).toEqual([0, '', false])
    expect(p.back()).toBe(false)
  })
})

describe('role menus', () => {
  it('shows each role its own screens only', () => {
    const paths = (roles) => menuFor(roles).flatMap((g) => g.items.map((i) => i.path))
    expect(paths(['reviewer'])).toEqual(['/review', '/review/processed', '/admin/employers'])
    expect(paths(['window_staff'])).toEqual(['/appointments', '/followups'])
    expect(paths(['admin'])).toContain('/admin/cards')
    expect(paths(['admin'])).not.toContain('/review')
    expect(paths(['holder'])).toEqual([])
    expect(paths(['venue_staff'])).toEqual([])
  })
  it('lands each role on its home, and none for holders', () => {
    expect(consoleHome(['admin'])).toBe('/admin/stats')
    expect(consoleHome(['window_staff'])).toBe('/appointments')
    expect(consoleHome(['reviewer', 'window_staff'])).toBe('/review')
    expect(consoleHome(['holder'])).toBeNull()
  })
  it('guards routes by role', () => {
    expect(allowed(['reviewer'], ['admin'])).toBe(false)
    expect(allowed(['reviewer', 'admin'], ['admin'])).toBe(true)
    expect(allowed(['holder'], undefined)).toBe(true)
  })
})

describe('chart data', () => {
  it('pivots period × key rows into series with zeros for missing cells', () => {
    const rows = [
      { period: '2026-11-02', key: 'submitted', label: '待受理', count: 2 },
      { period: '2026-11-01', key: 'completed', label: '已办结', count: 1 },
      { period: '2026-11-02', key: 'completed', label: '已办结', count: 3 },
    ]
    expect(pivot(rows)).toEqual({
      periods: ['2026-11-01', '2026-11-02'],
      series: [
        { name: '待受理', data: [0, 2] },
        { name: '已办结', data: [1, 3] },
      ],
    })
  })
  it('names pie slices and accepts both answer shapes', () => {
    expect(pieOption('x', { A: 2, B: 1 }, { A: 'A类' }).series[0].data).toEqual([
      { name: 'A类', value: 2 },
      { name: 'B', value: 1 },
    ])
    expect(counts([{ key: 'new', label: '新办', count: 4 }])).toEqual({ 新办: 4 })
  })
})

describe('Markdown preview', () => {
  it('renders headings, lists, bold and links', () => {
    const html = renderMarkdown('# 通知\n\n- **一**\n- 二\n\n[详情](https://example.com/a)')
    expect(html).toContain('<h2>通知</h2>')
    expect(html).toContain('<ul><li><strong>一</strong></li><li>二</li></ul>')
    expect(html).toContain('<a href="https://example.com/a" target="_blank" rel="noopener noreferrer">详情</a>')
  })
  it('never lets markup or script URLs through', () => {
    const html = renderMarkdown('<img src=x onerror=alert(1)> [x](javascript:alert(1))')
    expect(html).not.toContain('<img')
    expect(html).toContain('&lt;img')
    expect(html).not.toContain('href="javascript')
  })
})

describe('application form for the reviewer', () => {
  it('shows every field, known ones by their Chinese label', () => {
    const fields = fieldsOf({ name: '李四', id_type: 'resident_id', new_field: 'x', is_city_level: true })
    expect(fields).toEqual([
      { key: 'name', label: '姓名', value: '李四' },
      { key: 'id_type', label: '证件类型', value: '居民身份证' },
      { key: 'new_field', label: 'new_field', value: 'x' },
      { key: 'is_city_level', label: '市直单位', value: '是' },
    ])
    expect(fieldsOf({ name: '威海市海洋科技发展有限公司' }, 'employer')[0].label).toBe('单位名称')
    expect(otherFields({ personal: {}, materials: [], achievements: '发表论文' })).toEqual([{ key: 'achievements', label: '主要业绩', value: '发表论文' }])
    const history = otherFields({ history: [{ start: '2008-07', end: '', org: '威海市农业科学院' }, { start: '2015-07', org: '某公司' }] })
    expect(history).toEqual([{ key: 'history', label: '工作经历', value: '2008-07 威海市农业科学院；2015-07 某公司' }])
  })
})
