// The console's components against the real API client, with the network (fetch) faked.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import ElementPlus from 'element-plus'
import Login from '../../../console/src/pages/Login.vue'
import PagedTable from '../../../console/src/components/PagedTable.vue'
import { usePagedList } from '../../../console/src/composables/usePagedList'
import { client } from '../../../src/api/client'

const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

function makeRouter(component) {
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/login', component: Login },
      { path: '/list', component },
      { path: '/:rest(.*)*', component: { render: () => h('div', 'home') } },
    ],
  })
}

beforeEach(() => {
  setActivePinia(createPinia())
  client.setToken('')
})
afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('Login', () => {
  it('shows the captcha after 428 CAPTCHA_REQUIRED and sends it with the next try', async () => {
    const calls = []
    vi.stubGlobal('fetch', async (url, init) => {
      calls.push({ url, body: init.body ? JSON.parse(init.body) : null })
      if (url.endsWith('/auth/captcha')) return json(200, { captcha_id: 'c1', image: 'data:image/png;base64,AAAA' })
      if (url.endsWith('/auth/password/login')) {
        const b = JSON.parse(init.body)
        if (!b.captcha_id) return json(428, { error: { code: 'CAPTCHA_REQUIRED', message: '请输入图形验证码' } })
        return json(200, { token: 't1', expires_at: '2026-12-01T00:00:00+08:00', user: { id: '9', name: '系统管理员', roles: ['admin'] } })
      }
      if (url.endsWith('/me')) return json(200, { id: '9', name: '系统管理员', roles: ['admin'], has_password: true })
      return json(404, { error: { code: 'NOT_FOUND', message: '接口不存在' } })
    })
    const router = makeRouter({ render: () => h('div') })
    router.push('/login')
    await router.isReady()
    const w = mount(Login, { global: { plugins: [ElementPlus, router] }, attachTo: document.body })
    await w.find('input[placeholder="请输入账号"]').setValue('admin')
    await w.find('input[placeholder="请输入密码"]').setValue('Demo@12345')
    await w.find('form').trigger('submit')
    await flushPromises()
    const img = w.find('[data-test=captcha-image]')
    expect(img.exists()).toBe(true)
    expect(img.attributes('src')).toBe('data:image/png;base64,AAAA')
    expect(document.body.textContent).toContain('请输入图形验证码') // the contract's Chinese message

    await w.find('[data-test=captcha-input]').setValue('AB12')
    await w.find('form').trigger('submit')
    await flushPromises()
    const last = calls.filter((c) => c.url.endsWith('/auth/password/login')).pop()
    expect(last.body).toEqual({ username: 'admin', password: 'Demo@12345', captcha_id: 'c1', captcha_code: 'AB12' })
    expect(client.getToken()).toBe('t1')
    expect(router.currentRoute.value.path).toBe('/admin/stats')
    w.unmount()
  })
})

describe('usePagedList + PagedTable', () => {
  it('keeps the filters in the URL and pages with the cursors the API answers', async () => {
    const seen = []
    const fetcher = async (q) => {
      seen.push(q)
      if (!q.cursor) return { items: [{ id: '30' }, { id: '29' }], next_cursor: '29' }
      return { items: [{ id: '28' }], next_cursor: null }
    }
    let list
    const Page = defineComponent({
      setup() {
        list = usePagedList(fetcher, { status: '', overdue: '' }, { limit: 2 })
        return () => h(PagedTable, { list }, () => [])
      },
    })
    const router = makeRouter(Page)
    router.push('/list?overdue=true')
    await router.isReady()
    const w = mount({ render: () => h(Page) }, { global: { plugins: [ElementPlus, router] } })
    await flushPromises()
    expect(list.filters.overdue).toBe('true') // read from the URL
    expect(seen[0]).toEqual({ overdue: 'true', cursor: undefined, limit: 2 })
    expect(list.items.value.map((r) => r.id)).toEqual(['30', '29'])

    await w.find('[data-test=page-next]').trigger('click')
    await flushPromises()
    expect(seen[1]).toEqual({ overdue: 'true', cursor: '29', limit: 2 })
    expect(w.text()).toContain('第 2 页')
    expect(w.find('[data-test=page-next]').attributes('disabled')).toBeDefined()

    await w.find('[data-test=page-prev]').trigger('click')
    await flushPromises()
    expect(seen[2].cursor).toBeUndefined()

    // a new filter goes into the URL and starts again at the first page
    list.filters.status = 'submitted'
    await list.search()
    await flushPromises()
    await nextTick()
    expect(router.currentRoute.value.query).toEqual({ overdue: 'true', status: 'submitted' })
    expect(seen[seen.length - 1]).toEqual({ status: 'submitted', overdue: 'true', cursor: undefined, limit: 2 })
    w.unmount()
  })
})
