import { client } from './client'

export const getJssdkConfig = (url) => client.get('/wechat/jssdk', { url }, { auth: false })
