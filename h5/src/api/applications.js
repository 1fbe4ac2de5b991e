import { client } from './client'
import { idempotent } from './idempotency'

export const listMyApplications = (status) => client.get('/me/applications', { status })
// copyOf: 重新申报 from one's own rejected or withdrawn application (the server copies its form)
export const createApplication = (type, form, copyOf) =>
  client.post('/applications', copyOf ? { type, form, copy_of: String(copyOf) } : { type, form }, idempotent())
export const getApplication = (id) => client.get(`/applications/${id}`)
export const updateApplication = (id, form, version) => client.put(`/applications/${id}`, { form, version })
export const deleteApplication = (id) => client.del(`/applications/${id}`)
export const submitApplication = (id, version) => client.post(`/applications/${id}/submit`, { version })
export const withdrawApplication = (id, version) => client.post(`/applications/${id}/withdraw`, { version })
export const getMaterials = () => client.get('/applications/materials')
// the routing table's honor titles (full official names) for the picker
export const listHonorTitles = (q) => client.get('/honor-titles', q ? { q } : {})
