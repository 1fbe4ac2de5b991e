import { client } from './client'

export const listServices = (category) => client.get('/services', { category, limit: 100 })
export const getService = (id) => client.get(`/services/${id}`)
export const listWindows = (query = {}) => client.get('/windows', { limit: 100, ...query })
export const listDistricts = () => client.get('/districts')
