import { onBeforeUnmount, onMounted } from 'vue'
import { useLiveStore } from '../stores/live'

/**
 * Call `fn` for each live event whose type starts with one of `prefixes` (and after a reconnect,
 * when events may have been missed), for as long as the component is mounted.
 */
export function useLive(prefixes, fn) {
  const live = useLiveStore()
  const offs = []
  onMounted(() => {
    for (const p of [].concat(prefixes, 'live.reconnected')) offs.push(live.on(p, fn))
  })
  onBeforeUnmount(() => offs.splice(0).forEach((off) => off()))
}
