const http = require('../utils/request')

module.exports = {
  myCard: () => http.get('/me/card', undefined, { quiet: ['NO_CARD'] }),
  issueQr: () => http.post('/me/card/qr', {}, { quiet: ['CARD_DISABLED', 'CARD_EXPIRED'] }),
  myApplications: () => http.get('/me/applications', { limit: 50 }),
  application: (id) => http.get(`/applications/${id}`),
}
