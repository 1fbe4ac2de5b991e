import { client } from './client'
import { idempotent } from './idempotency'

/** Venue clerk: verify a holder's dynamic QR token. */
export const scanCardToken = (token, serviceId) =>
  client.post('/venue/scan', { token, service_id: serviceId || undefined }, idempotent())
export const listVenueVisits = (date) => client.get('/venue/visits', { date })
/** Holder: check in with what the scan of a venue poster read (URL or bare code). */
export const checkin = (venueCode, serviceId) =>
  client.post('/onsite/checkin', { venue_code: venueCode, service_id: serviceId || undefined }, idempotent())
