import { ref } from 'vue'

/** Whether the last request reached a working hub: the console says so loudly when not. */
export const hubReachable = ref(true)

export function reportReachable(ok: boolean): void {
  hubReachable.value = ok
}
