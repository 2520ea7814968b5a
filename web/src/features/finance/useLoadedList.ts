/** A finance table's rows: fetched on mount and on `load()` (the page reloads it after a run or a
 * payment), the table greyed while loading, a failure toasted. */
import { onMounted, ref, type Ref } from 'vue'

import { toastError } from '@/feedback/console'

export function useLoadedList<T>(fetch: () => Promise<T[]>) {
  const rows = ref([]) as Ref<T[]>
  const loading = ref(false)

  async function load(): Promise<void> {
    loading.value = true
    try {
      rows.value = await fetch()
    } catch (error) {
      toastError(error)
    } finally {
      loading.value = false
    }
  }

  onMounted(load)
  return { rows, loading, load }
}
