import { ref } from 'vue'
import { showSuccessToast } from 'vant'
import { showError } from './useRequest'

/** Save a Blob under a file name through a temporary link. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10000)
}

/** Exports need the token: fetch → Blob → a link, with a loading flag. */
export function useDownload() {
  const downloading = ref(false)
  async function download(fetchBlob, filename) {
    downloading.value = true
    try {
      saveBlob(await fetchBlob(), filename)
      showSuccessToast('已开始下载')
    } catch (e) {
      showError(e)
    } finally {
      downloading.value = false
    }
  }
  return { downloading, download }
}
