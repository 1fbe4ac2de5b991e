import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

const push = vi.fn()
vi.mock('vue-router', () => ({ useRouter: () => ({ back: vi.fn(), push, replace: vi.fn() }), useRoute: () => ({ params: { id: '7' } }) }))
vi.mock('vant', async (importOriginal) => ({ ...(await importOriginal()), showFailToast: vi.fn(), showSuccessToast: vi.fn() }))
vi.mock('../../src/api/applications', () => ({
  getApplication: vi.fn(),
  getMaterials: vi.fn(async () => ({ items: [{ kind: 'degree_cert', name: '学历学位证书' }] })),
  createApplication: vi.fn(async () => ({ id: '8' })),
  deleteApplication: vi.fn(),
  submitApplication: vi.fn(),
  withdrawApplication: vi.fn(),
}))

const api = await import('../../src/api/applications')
const ApplicationDetail = (await import('../../src/pages/holder/ApplicationDetail.vue')).default

const PDF_URL = '/api/v1/uploads/0123456789abcdef0123456789abcdef?exp=1795997220&sig=ab'
function app(over = {}) {
  return {
    id: '7', type: 'new', type_name: '新办', status: 'submitted', status_name: '正在审批', version: 5,
    acceptance_no: 'RC20261130080000123', can_withdraw: false, stages: [],
    form: { materials: [{ kind: 'degree_cert', file_id: 'f1' }] },
    files: { f1: { url: PDF_URL, content_type: 'application/pdf' } },
    history: [
      { action: 'submit', action_name: '提交申请', actor_name: '李四', opinion: null, at: '2026-11-30T08:00:00+08:00' },
      { action: 'return', action_name: '退回补正', actor_name: '周强', opinion: '学历证书不清晰', at: '2026-11-30T09:00:00+08:00' },
      { action: 'resubmit', action_name: '补正后重新提交', actor_name: '李四', opinion: null, at: '2026-11-30T10:00:00+08:00' },
    ],
    ...over,
  }
}

async function show(a) {
  setActivePinia(createPinia())
  api.getApplication.mockResolvedValueOnce(a)
  const w = mount(ApplicationDetail)
  await flushPromises()
  return w
}

describe('ApplicationDetail', () => {
  it('keeps every round: the 退回 and its opinion stay after the resubmission', async () => {
    const w = await show(app())
    const text = w.find('[data-test="history"]').text()
    expect(text).toContain('退回补正')
    expect(text).toContain('学历证书不清晰')
    expect(text).toContain('补正后重新提交')
  })

  it('offers 撤回 only when the server says it can work', async () => {
    expect((await show(app({ can_withdraw: false }))).find('[data-test="withdraw"]').exists()).toBe(false)
    expect((await show(app({ can_withdraw: true }))).find('[data-test="withdraw"]').exists()).toBe(true)
  })

  it('shows a PDF material as a download chip, never inline', async () => {
    const w = await show(app())
    const chip = w.find('[data-test="materials"] [data-test="pdf-tile"]')
    expect(chip.attributes('download')).toBe('学历学位证书.pdf')
    expect(w.find('[data-test="materials"] iframe, [data-test="materials"] embed, [data-test="materials"] object').exists()).toBe(false)
  })

  it('offers 重新申报 on a rejected application, prefilled from it', async () => {
    const w = await show(app({ status: 'rejected', status_name: '不予受理' }))
    await w.find('[data-test="declare-again"]').trigger('click')
    await flushPromises()
    expect(api.createApplication).toHaveBeenCalledWith('new', {}, '7')
    expect(push).toHaveBeenCalledWith('/applications/8/edit')
  })
})
