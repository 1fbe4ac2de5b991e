import { client } from './client'

// 单位注册 (anonymous), 关联代码 look-up and links (holder), the employer staff's own side
export const registerEmployer = (payload) => client.post('/employers/register', payload, { auth: false })
export const lookupEmployer = (code) => client.get('/employers/lookup', { code })
export const getMyEmployerLink = () => client.get('/me/employer-link')
export const requestEmployerLink = (code) => client.post('/me/employer-link', { code })
export const cancelEmployerLink = () => client.del('/me/employer-link')
export const getEmployerProfile = () => client.get('/employer/profile')
export const listEmployerLinks = (status, cursor) => client.get('/employer/links', { status, cursor })
export const actOnEmployerLink = (id, action, opinion = '') =>
  client.post(`/employer/links/${id}/actions`, { action, opinion })
export const getApplicationPrefill = () => client.get('/me/application-prefill')
