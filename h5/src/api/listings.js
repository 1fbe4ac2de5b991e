import { client } from './client'

export const listListings = (query = {}) => client.get('/listings', query)
export const getListing = (id) => client.get(`/listings/${id}`)
