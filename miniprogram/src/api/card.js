const http = require('../utils/request')

module.exports = {
  myCard: () => http.get('/me/card', undefined, { quiet: ['NO_CARD'] }),
  // cardNo: a dependent card (副卡) of the holder; none: the main card
  issueQr: (cardNo) => http.post('/me/card/qr', cardNo ? { card_no: cardNo } : {}, { quiet: ['CARD_DISABLED', 'CARD_EXPIRED'] }),
  myApplications: () => http.get('/me/applications', { limit: 50 }),
  application: (id) => http.get(`/applications/${id}`),
}
