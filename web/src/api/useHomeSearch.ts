/** Finding a home as staff type (电话报修, a notice to chosen homes, a household): the matches
 * for the last text typed, `searching` while the hub looks, a refusal toasted. */
import { ref } from 'vue'

import { toastError } from '@/feedback/console'

import { api, unwrap } from './client'
import type { Schemas } from './types'

export function useHomeSearch() {
  const homes = ref<Schemas['HomeOut'][]>([])
  const searching = ref(false)

  async function findHomes(q: string): Promise<void> {
    searching.value = true
    try {
      homes.value = await unwrap(api.GET('/api/v1/homes', { params: { query: { q } } }))
    } catch (error) {
      toastError(error)
    } finally {
      searching.value = false
    }
  }

  return { homes, searching, findHomes }
}
