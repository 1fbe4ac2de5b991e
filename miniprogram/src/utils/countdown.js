// A visible countdown: onTick(secondsLeft) every second from `seconds` down to 0, then onDone().
// stop() ends it (a page leaving, or a new code arriving).
function startCountdown(seconds, onTick, onDone) {
  let left = Math.max(0, Math.floor(seconds))
  onTick(left)
  const timer = setInterval(() => {
    left -= 1
    onTick(Math.max(0, left))
    if (left <= 0) {
      clearInterval(timer)
      onDone()
    }
  }, 1000)
  return () => clearInterval(timer)
}

module.exports = { startCountdown }
