import { ref } from 'vue'

import type { ApiError } from './errors'

/** A form's one action at a time: `busy` while it runs, `error` in the reader's language. */
export function useAction() {
  const busy = ref(false)
  const error = ref('')

  async function run(action: () => Promise<void>): Promise<void> {
    busy.value = true
    error.value = ''
    try {
      await action()
    } catch (e) {
      error.value = (e as ApiError).text
    } finally {
      busy.value = false
    }
  }

  return { busy, error, run }
}
