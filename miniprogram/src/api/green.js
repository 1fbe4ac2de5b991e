// 绿色通道: the catalog, windows, appointments and on-site check-in.
const http = require('../utils/request')

const { idempotencyKey } = require('../utils/idempotency')

module.exports = {
  services: (category) => http.get('/services', { category, limit: 100 }),
  service: (id) => http.get(`/services/${id}`),
  windows: (params) => http.get('/windows', { limit: 100, ...params }),
  book: (payload) => http.post('/appointments', payload, { header: { 'Idempotency-Key': idempotencyKey() } }),
  myAppointments: (status) => http.get('/me/appointments', { status, limit: 50 }),
  appointment: (id) => http.get(`/appointments/${id}`),
  cancel: (id, version) => http.post(`/appointments/${id}/cancel`, { version }),
  resubmit: (id, payload) => http.post(`/appointments/${id}/resubmit`, payload),
  rate: (id, stars, comment) => http.post(`/appointments/${id}/rating`, { stars, comment }),
  checkin: (venueCode) => http.post('/onsite/checkin', { venue_code: venueCode }, { header: { 'Idempotency-Key': idempotencyKey() } }),
  listings: (params) => http.get('/listings', { limit: 20, ...params }),
  listing: (id) => http.get(`/listings/${id}`),
}
