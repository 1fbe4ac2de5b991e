import { onBeforeUnmount, ref, watch } from 'vue'
import { fetchUpload } from '../api/uploadsRead'

/**
 * An uploaded image as a blob: URL (GET /api/v1/uploads/{id} needs the Authorization header, so
 * an <img src> cannot load it directly). Revoked when the source changes or the component goes.
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
