import { client } from './client'

export const getMyCard = () => client.get('/me/card')
// cardNo: a dependent card (副卡) of the holder's own; none: the main card
export const issueCardQr = (cardNo) => client.post('/me/card/qr', cardNo ? { card_no: cardNo } : undefined)
