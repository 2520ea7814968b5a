/** Run `fn` once after a burst of calls (live events come in bursts) has been quiet `ms`. */
import { onBeforeUnmount } from 'vue'

export function useDebounced(fn: () => void, ms = 500): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  onBeforeUnmount(() => clearTimeout(timer))
  return () => {
    clearTimeout(timer)
    timer = setTimeout(fn, ms)
  }
}
