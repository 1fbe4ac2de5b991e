// What every page does the same way: a load with a loading state, the error kept for the page to
// show (the request wrapper already showed the toast), and the pull-to-refresh spinner stopped.
/** @returns {Promise<void>} */
async function load(page, fn) {
  page.setData({ loading: true, error: '' })
  try {
    const patch = await fn()
    page.setData({ loading: false, ...(patch || {}) })
  } catch (e) {
    page.setData({ loading: false, error: e.message || '加载失败，请稍后再试' })
  } finally {
    wx.stopPullDownRefresh()
  }
}

/** The value of a data-* attribute of the tapped element. */
function dataOf(event, name) {
  return event.currentTarget.dataset[name]
}

module.exports = { load, dataOf }
