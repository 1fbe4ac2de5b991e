// The card's QR code, drawn here from the token (qrcode-generator): rows of dark and light modules
// as views, so no image is ever fetched and the code is sharp at any size.
const qrcode = require('../../miniprogram_npm/qrcode-generator/index')

/** The module matrix of `text` (true = dark), error correction M. */
function matrixOf(text) {
  const qr = qrcode(0, 'M')
  qr.addData(text, 'Byte')
  qr.make()
  const n = qr.getModuleCount()
  const rows = []
  for (let r = 0; r < n; r++) {
    const row = []
    for (let c = 0; c < n; c++) row.push(qr.isDark(r, c))
    rows.push(row)
  }
  return rows
}

Component({
  properties: {
    text: { type: String, value: '' },
    size: { type: Number, value: 480 }, // rpx
  },
  data: { rows: [], cell: 0 },
  observers: {
    'text, size': function (text, size) {
      if (!text) {
        this.setData({ rows: [], cell: 0 })
        return
      }
      const rows = matrixOf(text)
      this.setData({ rows, cell: Math.floor((size / (rows.length + 8)) * 100) / 100 })
    },
  },
})

module.exports = { matrixOf }
