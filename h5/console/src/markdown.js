// A small Markdown preview for listing bodies: headings, bold, italics, links, lists, paragraphs.
// Everything is HTML-escaped first, so the preview can never run or inject markup.
const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ESC[c])

function inline(text) {
  return escapeHtml(text)
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\*([^*]+)\*/g, '<em>$1</em>')
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>')
}

export function renderMarkdown(src) {
  const out = []
  let list = null
  let para = []
  const flushPara = () => {
    if (para.length) out.push(`<p>${para.map(inline).join('<br>')}</p>`)
    para = []
  }
  const flushList = () => {
    if (list) out.push(`<${list.tag}>${list.items.map((i) => `<li>${inline(i)}</li>`).join('')}</${list.tag}>`)
    list = null
  }
  for (const raw of String(src || '').split(/\r?\n/)) {
    const line = raw.trimEnd()
    let m
    if (!line.trim()) {
      flushPara()
      flushList()
    } else if ((m = /^(#{1,4})\s+(.*)$/.exec(line))) {
      flushPara()
      flushList()
      const n = m[1].length + 1
      out.push(`<h${n}>${inline(m[2])}</h${n}>`)
    } else if ((m = /^\s*[-*]\s+(.*)$/.exec(line)) || (m = /^\s*[0-9]+\.\s+(.*)$/.exec(line))) {
      flushPara()
      const tag = /^\s*[0-9]/.test(line) ? 'ol' : 'ul'
      if (!list || list.tag !== tag) {
        flushList()
        list = { tag, items: [] }
      }
      list.items.push(m[1])
    } else {
      flushList()
      para.push(line)
    }
  }
  flushPara()
  flushList()
  return out.join('\n')
}
