import { onMounted, ref, type Ref } from 'vue'

import type { ApiError } from '@/api/errors'

/** One read for a page: its data, whether it is loading, and the refusal's code and text. */
export function useLoad<T>(read: () => Promise<T>) {
  const data = ref<T>() as Ref<T | undefined>
  const loading = ref(true)
  const error = ref<{ code: string; text: string } | null>(null)

  async function load(): Promise<void> {
    loading.value = true
    try {
      data.value = await read()
      error.value = null
    } catch (e) {
      const failure = e as ApiError
      error.value = { code: failure.code ?? 'error', text: failure.text ?? String(e) }
    } finally {
      loading.value = false
    }
  }

  onMounted(load)
  return { data, loading, error, load }
}
