import { client } from './client'

// 一键测试 and 公示: both anonymous (reachable before login)
export const checkEligibility = (answers) => client.post('/eligibility/check', answers)
export const listPublicity = (cursor) => client.get('/publicity', { cursor, limit: 20 })
