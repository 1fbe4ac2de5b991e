// Turning the statistics answers into ECharts options (pure functions, unit-tested).

/** Rows [{period, key, label, count}] → {periods, series: [{name, data}]} (missing cells are 0). */
export function pivot(rows, { period = 'period', key = 'key', label = 'label', value = 'count' } = {}) {
  const periods = [...new Set(rows.map((r) => r[period]))].sort()
  const names = new Map()
  for (const r of rows) if (!names.has(r[key])) names.set(r[key], r[label] || String(r[key]))
  const index = new Map(periods.map((p, i) => [p, i]))
  const series = [...names.entries()].map(([k, name]) => {
    const data = new Array(periods.length).fill(0)
    for (const r of rows) if (r[key] === k) data[index.get(r[period])] += Number(r[value]) || 0
    return { name, data }
  })
  return { periods, series }
}

/** A stacked bar chart over time. */
export function timeBarOption(title, { periods, series }) {
  return {
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0, type: 'scroll' },
    grid: { left: 48, right: 24, top: 40, bottom: 48 },
    xAxis: { type: 'category', data: periods },
    yAxis: { type: 'value', minInterval: 1 },
    series: series.map((s) => ({ ...s, type: 'bar', stack: 'total', barMaxWidth: 36 })),
  }
}

/** A bar per category (windows, venues …). */
export function barOption(title, names, values, { percent = false, name = '' } = {}) {
  return {
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis', valueFormatter: percent ? (v) => `${v}%` : undefined },
    grid: { left: 48, right: 24, top: 40, bottom: 60 },
    xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 5 ? 30 : 0 } },
    yAxis: { type: 'value', max: percent ? 100 : undefined, axisLabel: percent ? { formatter: '{value}%' } : undefined },
    series: [{ name, type: 'bar', data: values, barMaxWidth: 40, label: { show: true, position: 'top', formatter: percent ? '{c}%' : '{c}' } }],
  }
}

/** A pie of a {key: count} object or of [{name, value}]. */
export function pieOption(title, data, names = {}) {
  const items = Array.isArray(data)
    ? data
    : Object.entries(data || {}).map(([k, v]) => ({ name: names[k] || k, value: Number(v) || 0 }))
  return {
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'item', formatter: '{b}：{c}（{d}%）' },
    legend: { bottom: 0, type: 'scroll' },
    series: [{ type: 'pie', radius: ['35%', '62%'], center: ['50%', '50%'], data: items, label: { formatter: '{b}\n{c}' } }],
  }
}

/** [{name: value}] or [{key, label, count}] → a {key: count} object (the cards/applications answers). */
export function counts(obj) {
  if (Array.isArray(obj)) return Object.fromEntries(obj.map((r) => [r.label || r.key || r.name, r.count ?? r.value ?? 0]))
  return obj || {}
}
