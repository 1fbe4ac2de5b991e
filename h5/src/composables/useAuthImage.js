import { onBeforeUnmount, ref, watch } from 'vue'
import { fetchUpload, isSigned, signedSrc } from '../api/uploadsRead'

/**
 * An uploaded image for an <img src>. The API hands out signed URLs (`?exp=&sig=`, valid 10 minutes,
 * no Authorization header needed, cacheable by the browser): those are used as they are. An
 * unsigned one (GET /api/v1/uploads/{id} then needs the header) is fetched as a blob: URL, revoked
 * when the source changes or the component goes.
 */
export function useAuthImage(source, fetcher = fetchUpload) {
  const src = ref('')
  const loading = ref(false)
  const failed = ref(false)
  let current = ''
  function release() {
    if (current) URL.revokeObjectURL(current)
    current = ''
  }
  async function load(url) {
    release()
    src.value = ''
    failed.value = false
    if (!url) return
    if (isSigned(url)) {
      src.value = signedSrc(url)
      return
    }
    loading.value = true
    try {
      const blob = await fetcher(url)
      current = URL.createObjectURL(blob)
      src.value = current
    } catch {
      failed.value = true
    } finally {
      loading.value = false
    }
  }
  watch(source, load, { immediate: true })
  onBeforeUnmount(release)
  return { src, loading, failed }
}
