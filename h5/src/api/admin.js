import { client } from './client'

export const listCards = (query = {}) => client.get('/admin/cards', query)
export const disableCard = (cardNo, reason) => client.post(`/admin/cards/${encodeURIComponent(cardNo)}/disable`, { reason })
export const enableCard = (cardNo, reason = '') => client.post(`/admin/cards/${encodeURIComponent(cardNo)}/enable`, { reason })
export const exportCards = (query = {}) => client.blob('/admin/cards/export.xlsx', query)
export const listVenues = () => client.get('/admin/venues')
export const getVenuePoster = (id) => client.blob(`/admin/venues/${id}/poster.png`)
