import { client } from './client'

/** query: status, service_id, window_id, district, from, to, q, overdue, cursor, limit */
export const listStaffAppointments = (query = {}) => client.get('/staff/appointments', query)
export const actOnAppointment = (id, payload) => client.post(`/staff/appointments/${id}/actions`, payload)
export const exportStaffAppointments = (query = {}) => client.blob('/staff/appointments/export.xlsx', query)
export const superviseWindow = (windowId) => client.post('/staff/supervision', { window_id: windowId })
