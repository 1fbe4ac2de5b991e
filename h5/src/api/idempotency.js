// A fresh Idempotency-Key for a POST that creates something (API.md Conventions).
export function newKey() {
  const c = globalThis.crypto
  if (c && typeof c.randomUUID === 'function') return c.randomUUID()
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`
}

export const idempotent = () => ({ headers: { 'Idempotency-Key': newKey() } })
