// The console's API calls: the H5's one client (token, Chinese errors, 401 handler) and the
// admin / staff / review endpoints of the contract (API.md) the console uses.
import { client } from '../../src/api/client'
import { idempotent } from '../../src/api/idempotency'

const enc = encodeURIComponent

export { client }

// cards
export const listCards = (q) => client.get('/admin/cards', q)
export const getCard = (no) => client.get(`/admin/cards/${enc(no)}`)
export const disableCard = (no, reason) => client.post(`/admin/cards/${enc(no)}/disable`, { reason })
export const enableCard = (no, reason) => client.post(`/admin/cards/${enc(no)}/enable`, { reason })
export const exportCards = (q) => client.blob('/admin/cards/export.xlsx', q)

// accounts and organisations
export const listAccounts = (q) => client.get('/admin/accounts', q)
export const createAccount = (body) => client.post('/admin/accounts', body, idempotent())
export const updateAccount = (id, body) => client.put(`/admin/accounts/${id}`, body)
export const resetPassword = (id, newPassword) => client.post(`/admin/accounts/${id}/reset-password`, { new_password: newPassword })
export const disableAccount = (id, reason) => client.post(`/admin/accounts/${id}/disable`, { reason })
export const enableAccount = (id, reason) => client.post(`/admin/accounts/${id}/enable`, { reason })
export const listOrgs = () => client.get('/admin/orgs')
export const listDistricts = () => client.get('/districts')

// honor titles and routing
export const listHonorTitles = (q) => client.get('/admin/honor-titles', q)
export const createHonorTitle = (body) => client.post('/admin/honor-titles', body)
export const updateHonorTitle = (id, body) => client.put(`/admin/honor-titles/${id}`, body)
export const deleteHonorTitle = (id) => client.del(`/admin/honor-titles/${id}`)
export const previewRoute = (body) => client.post('/admin/routing/preview', body)

// green channel catalog
export const listServices = (q) => client.get('/admin/services', { limit: 100, ...q })
export const createService = (body) => client.post('/admin/services', body, idempotent())
export const updateService = (id, body) => client.put(`/admin/services/${id}`, body)
export const listWindows = (q) => client.get('/admin/windows', { limit: 100, ...q })
export const listPublicWindows = (q) => client.get('/windows', { limit: 100, ...q })
export const createWindow = (body) => client.post('/admin/windows', body, idempotent())
export const updateWindow = (id, body) => client.put(`/admin/windows/${id}`, body)
export const listListings = (q) => client.get('/admin/listings', q)
export const createListing = (body) => client.post('/admin/listings', body, idempotent())
export const updateListing = (id, body) => client.put(`/admin/listings/${id}`, body)
export const deleteListing = (id) => client.del(`/admin/listings/${id}`)

// venues
export const listVenues = (q) => client.get('/admin/venues', q)
export const createVenue = (body) => client.post('/admin/venues', body, idempotent())
export const updateVenue = (id, body) => client.put(`/admin/venues/${id}`, body)
export const listVenueStaff = (id) => client.get(`/admin/venues/${id}/staff`)
export const addVenueStaff = (id, body) => client.post(`/admin/venues/${id}/staff`, body)
export const venuePoster = (id) => client.blob(`/admin/venues/${id}/poster.png`)

// the clerks' comprehensive query
export const listStaffAppointments = (q) => client.get('/staff/appointments', q)
export const exportStaffAppointments = (q) => client.blob('/staff/appointments/export.xlsx', q)
export const getAppointment = (id) => client.get(`/appointments/${id}`)
export const actOnAppointment = (id, body) => client.post(`/staff/appointments/${id}/actions`, body)
export const supervise = (windowId) => client.post('/staff/supervision', { window_id: windowId })

// 好差评 follow-ups
export const listAdminFollowups = (q) => client.get('/admin/followups', q)
export const listFollowups = (q) => client.get('/followups', q)
export const rectify = (id, body) => client.post(`/followups/${id}/rectify`, body)
export const revisit = (id, body) => client.post(`/followups/${id}/revisit`, body)

// statistics: each has an .xlsx variant with the same query
export const stats = (name, q) => client.get(`/admin/stats/${name}`, q)
export const statsXlsx = (name, q) => client.blob(`/admin/stats/${name}.xlsx`, q)

// review
export const listReviewQueue = (q) => client.get('/review/applications', q)
export const getApplication = (id) => client.get(`/applications/${id}`)
export const getMaterials = () => client.get('/applications/materials')
export const reviewApplication = (id, body) => client.post(`/review/applications/${id}/actions`, body)
export const listProcessed = (q) => client.get('/review/processed', q)
export const exportProcessed = (q) => client.blob('/review/processed/export.xlsx', q)

// employers: registrations (admin, the approving bureau's reviewers) and the employer staff's own side
export const listEmployers = (q) => client.get('/admin/employers', q)
export const actOnEmployer = (id, action, opinion = '') => client.post(`/admin/employers/${enc(id)}/actions`, { action, opinion })
export const employerProfile = () => client.get('/employer/profile')
export const listEmployerLinks = (q) => client.get('/employer/links', q)
export const actOnEmployerLink = (id, action, opinion = '') => client.post(`/employer/links/${enc(id)}/actions`, { action, opinion })

// 公示 and the working-day calendar
export const listPublicity = (q) => client.get('/publicity', q)
export const objectToPublicity = (appId, opinion) => client.post(`/admin/publicity/${enc(appId)}/objection`, { opinion })
export const getCalendar = (year) => client.get('/admin/calendar', { year })
export const setCalendarDay = (date, kind, note) => client.put(`/admin/calendar/${enc(date)}`, { kind, note: note || null })
