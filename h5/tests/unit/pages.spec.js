import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('vue-router', () => ({ useRouter: () => ({ back: vi.fn(), push: vi.fn() }), useRoute: () => ({ params: {} }) }))
vi.mock('vant', async (importOriginal) => ({ ...(await importOriginal()), showFailToast: vi.fn(), showSuccessToast: vi.fn() }))
vi.mock('../../src/api/auth', () => ({
  changePassword: vi.fn(async () => {
    const e = new Error('修改密码失败，请检查后重试')
    Object.assign(e, { status: 400, code: 'INVALID_REQUEST', details: { fields: { old_password: '原密码不正确' } } })
    throw e
  }),
  getMe: vi.fn(),
}))

const { showFailToast } = await import('vant')
const Password = (await import('../../src/pages/Password.vue')).default
const { useAuthStore } = await import('../../src/stores/auth')

describe('Password', () => {
  it("shows the contract's message for a wrong old password", async () => {
    setActivePinia(createPinia())
    useAuthStore().user = { id: '1', name: '张三', roles: ['holder'], has_password: true }
    const w = mount(Password, { attachTo: document.body })
    const inputs = w.findAll('input')
    await inputs[0].setValue('Wrong-Pass-1')
    await inputs[1].setValue('New-Pass-2026')
    await inputs[2].setValue('New-Pass-2026')
    await w.find('form').trigger('submit')
    await flushPromises()
    await new Promise((r) => setTimeout(r, 0))
    await flushPromises()
    expect(showFailToast).toHaveBeenCalledWith(expect.objectContaining({ message: '原密码不正确' }))
    expect(w.find('[data-test="old-password"]').text()).toContain('原密码不正确')
    w.unmount()
  })
})
