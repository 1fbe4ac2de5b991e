const { answer, state, apiError } = require('../support/fake-wx')
const { renderPage, text } = require('../support/render-page')

test('card', async () => {
  state.storage.set('yck.token', 't1')
  answer('GET /api/v1/me/card', 200, { card_no: 'WH1', level: 'A', status: 'active', valid_until: '2028-01-01', holder: { name: '张三', photo_url: '/api/v1/uploads/1?sig=1' }, quotas: [] })
  answer('POST /api/v1/me/card/qr', 200, { token: 'abc', refresh_in_seconds: 30 })
  const page = await renderPage('pages/card/card')
  console.log(text(page))
  console.log(page.dom.innerHTML.slice(0, 1500))
  page.instance.onUnload()
})
