import { ref } from 'vue'

/** Whether the last request reached a working hub: the console says so loudly when not. */
export const hubReachable = ref(true)

const PROBE_MS = 5000
let probe: ReturnType<typeof setInterval> | undefined

/** While the hub is unreachable, ask it every few seconds (any HTTP answer means it is back),
 * so the banner goes away by itself and not only at the user's next click. */
export function reportReachable(ok: boolean): void {
  hubReachable.value = ok
  if (ok) {
    clearInterval(probe)
    probe = undefined
  } else {
    probe ??= setInterval(() => {
      fetch('/api/v1/openapi.json', { method: 'GET', cache: 'no-store' })
        .then((response) => reportReachable(response.status < 502 || response.status > 504))
        .catch(() => undefined)
    }, PROBE_MS)
  }
}
