// Idempotency-Key for the POSTs that create something (a booking, a check-in, a scan): one key
// per user action, so that a retry after a lost answer replays the first answer instead of acting twice.
function idempotencyKey() {
  return `mp-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`
}

module.exports = { idempotencyKey }
