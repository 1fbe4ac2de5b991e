import { client } from './client'

export const listReviewQueue = (status = 'pending', cursor) => client.get('/review/applications', { status, cursor })
export const reviewApplication = (id, payload) => client.post(`/review/applications/${id}/actions`, payload)
