// The window clerk's and the venue clerk's endpoints.
const http = require('../utils/request')
const { idempotencyKey } = require('../utils/idempotency')

module.exports = {
  todo: (status) => http.get('/staff/appointments', { status, limit: 50 }),
  overdue: () => http.get('/staff/appointments', { overdue: 'true', limit: 100 }),
  act: (id, payload) => http.post(`/staff/appointments/${id}/actions`, payload, { quiet: ['VERSION_CONFLICT'] }),
  windows: () => http.get('/windows', { limit: 100 }),
  scan: (token) => http.post('/venue/scan', { token }, { header: { 'Idempotency-Key': idempotencyKey() } }),
  visits: (date) => http.get('/venue/visits', { date }),
}
