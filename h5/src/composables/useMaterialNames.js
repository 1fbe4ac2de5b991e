import { onMounted, ref } from 'vue'
import { getMaterials } from '../api/applications'

/** The materials' Chinese names by kind ({ degree_cert: '学历学位证书', … }), loaded on mount; {} if that fails. */
export function useMaterialNames() {
  const names = ref({})
  onMounted(async () => {
    try {
      const m = await getMaterials()
      names.value = Object.fromEntries(m.items.map((i) => [i.kind, i.name]))
    } catch {
      names.value = {}
    }
  })
  return names
}
