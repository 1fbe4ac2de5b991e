import { client } from './client'

export const getMyCard = () => client.get('/me/card')
export const issueCardQr = () => client.post('/me/card/qr')
