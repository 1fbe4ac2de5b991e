import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

vi.mock('../../src/api/auth', () => ({ sendSmsCode: vi.fn() }))
vi.mock('qrcode', () => ({ default: { toCanvas: vi.fn(async () => undefined) } }))

const { sendSmsCode } = await import('../../src/api/auth')
const QRCode = (await import('qrcode')).default
const SmsCodeButton = (await import('../../src/components/SmsCodeButton.vue')).default
const PhoneCodeFields = (await import('../../src/components/PhoneCodeFields.vue')).default
const QrCanvas = (await import('../../src/components/QrCanvas.vue')).default
const StatusTag = (await import('../../src/components/StatusTag.vue')).default
const AuthImage = (await import('../../src/components/AuthImage.vue')).default
const FileThumb = (await import('../../src/components/FileThumb.vue')).default
const { normaliseForm, toPayload, fieldErrorMessage, requiredKinds, missingMessage } = await import(
  '../../src/pages/holder/applicationForm'
)
const { APPOINTMENT_STATUS, formatTime, clock } = await import('../../src/utils/format')
const { cardRefusal } = await import('../../src/utils/cardState')

afterEach(() => {
  vi.useRealTimers()
  vi.clearAllMocks()
})

describe('SmsCodeButton', () => {
  it('sends the code and counts down the cooldown the server gave (Vant useCountDown)', async () => {
    vi.useFakeTimers()
    sendSmsCode.mockResolvedValue({ cooldown_seconds: 60 })
    const w = mount(SmsCodeButton, { props: { phone: '13800000001' } })
    expect(w.text()).toBe('获取验证码')
    await w.find('button').trigger('click')
    await flushPromises()
    expect(sendSmsCode).toHaveBeenCalledWith('13800000001', 'login')
    expect(w.text()).toMatch(/^60秒后重发$/)
    expect(w.find('button').attributes('disabled')).toBeDefined()
    vi.advanceTimersByTime(3000)
    await flushPromises()
    expect(w.text()).toMatch(/^5[678]秒后重发$/) // counting down
    expect(w.emitted('sent')).toHaveLength(1)
  })

  it('refuses a malformed phone without calling the server', async () => {
    const w = mount(SmsCodeButton, { props: { phone: '1380000' } })
    await w.find('button').trigger('click')
    await flushPromises()
    expect(sendSmsCode).not.toHaveBeenCalled()
    expect(w.text()).toBe('获取验证码')
  })

  it('counts down the wait the server asks for when rate limited', async () => {
    vi.useFakeTimers()
    const err = Object.assign(new Error('发送过于频繁，请60秒后再试'), { code: 'SMS_RATE_LIMITED', details: { retry_after_seconds: 42 } })
    sendSmsCode.mockRejectedValue(err)
    const w = mount(SmsCodeButton, { props: { phone: '13800000001' } })
    await w.find('button').trigger('click')
    await flushPromises()
    expect(w.text()).toBe('42秒后重发')
  })
})

describe('PhoneCodeFields', () => {
  // a <van-form> as Login and Bind hold it
  const Host = {
    components: { PhoneCodeFields },
    emits: ['ok'],
    data: () => ({ phone: '', code: '' }),
    template: `<van-form @submit="$emit('ok', { phone, code })"><PhoneCodeFields v-model:phone="phone" v-model:code="code" purpose="login" /></van-form>`,
  }

  async function submitWith(phone, code) {
    const w = mount(Host, { attachTo: document.body, global: { components: { VanForm: (await import('vant/es')).Form } } })
    const inputs = w.findAll('input')
    await inputs[0].setValue(phone)
    await inputs[1].setValue(code)
    await w.find('form').trigger('submit')
    await flushPromises()
    await new Promise((r) => setTimeout(r, 0))
    await flushPromises()
    return w
  }

  it('binds both fields and passes a valid form', async () => {
    const w = await submitWith('13800000001', '123456')
    expect(w.emitted('ok')).toEqual([[{ phone: '13800000001', code: '123456' }]])
    w.unmount()
  })

  it('refuses a phone that is not 1 and ten ASCII digits, and an empty code', async () => {
    for (const phone of ['1380000000', '23800000001', '1３８00000001']) {
      const w = await submitWith(phone, '123456')
      expect(w.emitted('ok')).toBeUndefined()
      expect(w.text()).toContain('请输入正确的11位手机号')
      w.unmount()
    }
    const w = await submitWith('13800000001', '')
    expect(w.emitted('ok')).toBeUndefined()
    expect(w.text()).toContain('请输入验证码')
    w.unmount()
  })

  it("gives the code button the trimmed phone and the form's purpose", async () => {
    sendSmsCode.mockResolvedValue({ cooldown_seconds: 60 })
    const w = mount(PhoneCodeFields, { props: { phone: ' 13800000001 ', code: '', purpose: 'bind' } })
    await w.find('button').trigger('click')
    await flushPromises()
    expect(sendSmsCode).toHaveBeenCalledWith('13800000001', 'bind')
    expect(w.find('input[autocomplete="one-time-code"]').exists()).toBe(true)
  })
})

describe('QrCanvas', () => {
  it('draws the token and redraws when it changes', async () => {
    const w = mount(QrCanvas, { props: { text: 'Q1.k1.a', size: 200 } })
    await flushPromises()
    expect(QRCode.toCanvas).toHaveBeenCalledTimes(1)
    expect(QRCode.toCanvas.mock.calls[0][1]).toBe('Q1.k1.a')
    expect(w.find('canvas').attributes('data-token')).toBe('Q1.k1.a')
    await w.setProps({ text: 'Q1.k1.b' })
    await flushPromises()
    expect(QRCode.toCanvas).toHaveBeenCalledTimes(2)
    expect(QRCode.toCanvas.mock.calls[1][1]).toBe('Q1.k1.b')
  })
})

describe('StatusTag', () => {
  it('shows the Chinese status', () => {
    const w = mount(StatusTag, { props: { status: 'accepted', map: APPOINTMENT_STATUS } })
    expect(w.text()).toBe('待预审')
    expect(w.attributes('data-status')).toBe('accepted')
  })
})

describe('AuthImage', () => {
  it('loads the image through the authorised fetcher as a blob: URL', async () => {
    globalThis.URL.createObjectURL = vi.fn(() => 'blob:photo-1')
    globalThis.URL.revokeObjectURL = vi.fn()
    const api = await import('../../src/api/uploadsRead')
    const spy = vi.spyOn(api, 'fetchUpload')
    spy.mockResolvedValue(new Blob(['x']))
    const w = mount(AuthImage, { props: { url: '/api/v1/uploads/1' } })
    await flushPromises()
    expect(spy).toHaveBeenCalledWith('/api/v1/uploads/1')
    expect(w.find('img').attributes('src')).toBe('blob:photo-1')
    w.unmount()
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:photo-1')
  })

  it('uses a signed URL as a plain <img src>, without fetching it', async () => {
    const api = await import('../../src/api/uploadsRead')
    const spy = vi.spyOn(api, 'fetchUpload')
    const url = '/api/v1/uploads/0123456789abcdef0123456789abcdef?exp=1795997220&sig=adc32ff55eda1d2c3220557cc686c98b'
    const w = mount(AuthImage, { props: { url } })
    await flushPromises()
    expect(spy).not.toHaveBeenCalled()
    expect(w.find('img').attributes('src')).toBe(url)
    expect(api.fileUrl({ abc: { url, content_type: 'image/png' } }, 'abc')).toBe(url)
    expect(api.fileUrl({}, 'abc')).toBe('/api/v1/uploads/abc')
    expect(api.fileUrl({}, '')).toBe('')
  })
})

describe('FileThumb', () => {
  it('offers a PDF material as a download tile and shows an image as a thumbnail', async () => {
    const url = '/api/v1/uploads/0123456789abcdef0123456789abcdef?exp=1795997220&sig=adc32ff55eda1d2c3220557cc686c98b'
    const pdf = mount(FileThumb, { props: { files: { a: { url, content_type: 'application/pdf' } }, fileId: 'a' } })
    expect(pdf.find('[data-test="pdf-tile"]').attributes('href')).toBe(url)
    const img = mount(FileThumb, { props: { files: { a: { url, content_type: 'image/png' } }, fileId: 'a' } })
    await flushPromises()
    expect(img.find('[data-test="pdf-tile"]').exists()).toBe(false)
    expect(img.find('img').attributes('src')).toBe(url)
  })

  it('never renders a PDF inline: a chip that downloads it under the material name', () => {
    const url = '/api/v1/uploads/0123456789abcdef0123456789abcdef?exp=1795997220&sig=adc32ff55eda1d2c3220557cc686c98b'
    const pdf = mount(FileThumb, {
      props: { files: { a: { url, content_type: 'application/pdf' } }, fileId: 'a', name: '学历学位证书' },
    })
    const chip = pdf.find('[data-test="pdf-tile"]')
    expect(chip.attributes('download')).toBe('学历学位证书.pdf')
    expect(chip.attributes('target')).toBeUndefined()
    expect(chip.text()).toContain('下载')
    for (const tag of ['img', 'iframe', 'embed', 'object']) expect(pdf.find(tag).exists()).toBe(false)
  })
})

describe('card state', () => {
  it('says before the form what the server would refuse', () => {
    const holder = (card) => ({ roles: ['holder'], card })
    expect(cardRefusal(holder({ status: 'active' }))).toBe('')
    expect(cardRefusal(holder({ status: 'disabled' }))).toContain('已停用')
    expect(cardRefusal(holder({ status: 'expired' }))).toContain('续办')
    expect(cardRefusal(holder(null))).toContain('还没有英才卡')
    expect(cardRefusal({ roles: ['window_staff'] })).toBe('')
  })
})

describe('application form helpers', () => {
  it('fills the gaps of a stored form and sends empty inputs as null', () => {
    const form = normaliseForm({ personal: { name: '李四', birth_date: null }, materials: [{ kind: 'id_card', file_id: 4 }] })
    expect(form.personal.name).toBe('李四')
    expect(form.personal.birth_date).toBe('')
    expect(form.education.degree).toBe('')
    expect(form.materials).toEqual([{ kind: 'id_card', file_id: '4' }])
    const payload = toPayload(form)
    expect(payload.personal.birth_date).toBeNull()
    expect(payload.personal.name).toBe('李四')
    expect(payload.achievements).toBeNull()
  })

  it('requires the 副卡 documents as soon as a family member asks for a dependent card', () => {
    const catalog = [
      { kind: 'id_card', required_for: ['new', 'renew'] },
      { kind: 'family_id', required_for: [] },
    ]
    const form = normaliseForm({ family: [{ name: '王芳', relation: '配偶' }] })
    expect(form.family[0].wants_card).toBe(false)
    expect([...requiredKinds(catalog, 'new', form)]).toEqual(['id_card'])
    form.family[0].wants_card = true
    expect([...requiredKinds(catalog, 'new', form)]).toEqual(['id_card', 'family_id'])
    expect(toPayload(form).family[0].wants_card).toBe(true)
  })

  it('lists each missing material once', () => {
    const err = {
      message: '申请材料不齐全，请补充：一寸免冠照片、学历学位证书',
      details: { missing: [{ kind: 'photo', name: '一寸免冠照片' }, { kind: 'degree_cert', name: '学历学位证书' }] },
    }
    expect(missingMessage(err, (k) => k)).toBe('申请材料不齐全，请补充：一寸免冠照片、学历学位证书')
    expect(missingMessage({ message: '申请材料不齐全', details: { missing: ['id_card'] } }, () => '身份证')).toBe(
      '申请材料不齐全：身份证',
    )
  })

  it("names the first invalid field in the server's message", () => {
    const err = { message: '请求参数有误', details: { fields: { 'form.personal.id_number': '请输入正确的18位居民身份证号码' } } }
    expect(fieldErrorMessage(err)).toBe('请求参数有误：请输入正确的18位居民身份证号码')
    expect(fieldErrorMessage({ message: '申请不存在' })).toBe('申请不存在')
  })
})

describe('formatting', () => {
  it('shows the wall time of the offset the server gave', () => {
    expect(formatTime('2026-11-23T09:30:05+08:00')).toBe('2026-11-23 09:30')
    expect(formatTime('2026-11-23T09:30:05+08:00', { seconds: true })).toBe('2026-11-23 09:30:05')
    expect(clock(new Date(2026, 10, 23, 9, 5, 7))).toBe('2026-11-23 09:05:07')
  })
})
