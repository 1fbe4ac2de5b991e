import { client } from './client'
import { idempotent } from './idempotency'

export const bookAppointment = (payload) => client.post('/appointments', payload, idempotent())
export const listMyAppointments = (query = {}) => client.get('/me/appointments', query)
export const getAppointment = (id) => client.get(`/appointments/${id}`)
export const cancelAppointment = (id, version) => client.post(`/appointments/${id}/cancel`, { version })
export const resubmitAppointment = (id, payload) => client.post(`/appointments/${id}/resubmit`, payload)
export const rateAppointment = (id, stars, comment) => client.post(`/appointments/${id}/rating`, { stars, comment })
