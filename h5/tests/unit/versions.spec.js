import { afterEach, describe, expect, it, vi } from 'vitest'
import { client } from '../../src/api/client'
import { submitApplication, withdrawApplication } from '../../src/api/applications'
import { cancelAppointment } from '../../src/api/appointments'

// The server refuses a state-changing action without the version the user saw (400) and a stale
// one with 409 VERSION_CONFLICT: every action function must pass it on.
describe('state-changing actions send the version they saw', () => {
  afterEach(() => vi.restoreAllMocks())

  it.each([
    ['submit', () => submitApplication('7', 3), '/applications/7/submit'],
    ['withdraw', () => withdrawApplication('7', 3), '/applications/7/withdraw'],
    ['cancel', () => cancelAppointment('9', 3), '/appointments/9/cancel'],
  ])('%s', async (_name, call, path) => {
    const post = vi.spyOn(client, 'post').mockResolvedValue({})
    await call()
    expect(post).toHaveBeenCalledWith(path, { version: 3 })
  })
})
