import { client } from './client'
import { idempotent } from './idempotency'

/** kind: photo | material */
export function uploadFile(file, kind) {
  const form = new FormData()
  form.append('kind', kind)
  form.append('file', file)
  return client.upload('/uploads', form, idempotent())
}
