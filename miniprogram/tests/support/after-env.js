const fakeWx = require('./fake-wx')

beforeEach(() => fakeWx.reset())
afterEach(() => {
  const stray = fakeWx.state.unanswered.splice(0)
  if (stray.length) {
    throw new Error(`wx.request without an answer in this test: ${stray.join(', ')}`)
  }
})
