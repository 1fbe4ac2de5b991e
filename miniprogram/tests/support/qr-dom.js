// Read the QR code a page drew (rows of .qr-cell views) back into pixels and decode it with
// jsQR, as a phone camera would.
const jsQR = require('jsqr')

function matrixFromDom(root) {
  const rows = Array.from(root.querySelectorAll('.qr-code--qr-row'))
  return rows.map((row) => Array.from(row.children).map((cell) => cell.className.includes('qr-code--dark')))
}

function decodeMatrix(matrix, scale = 4, quiet = 4) {
  const n = matrix.length
  const size = (n + quiet * 2) * scale
  const data = new Uint8ClampedArray(size * size * 4).fill(255)
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!matrix[r][c]) continue
      for (let y = 0; y < scale; y++) {
        for (let x = 0; x < scale; x++) {
          const i = (((r + quiet) * scale + y) * size + (c + quiet) * scale + x) * 4
          data[i] = data[i + 1] = data[i + 2] = 0
        }
      }
    }
  }
  const out = jsQR(data, size, size)
  return out ? out.data : null
}

module.exports = { matrixFromDom, decodeMatrix }
