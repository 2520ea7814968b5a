/** The open orders of the board and of the service desk: loaded, kept fresh from the live feed
 * (useOrdersRefresh), replaced one by one as people act on them; accepting (受理) one. */
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'

import { api, ApiError, unwrap } from '@/api/client'
import { toastError, toastOk } from '@/feedback/console'

import { useOrdersRefresh, type WorkOrder } from './orders'

export function useOpenOrders() {
  const { t } = useI18n()
  const orders = ref<WorkOrder[]>([])
  const failed = ref('')

  async function load(): Promise<void> {
    try {
      orders.value = await unwrap(api.GET('/api/v1/work-orders', { params: { query: { open: true } } }))
      failed.value = ''
    } catch (error) {
      failed.value = error instanceof ApiError ? error.text : String(error)
    }
  }
  useOrdersRefresh(load)

  function changed(order: WorkOrder): void {
    orders.value = [order, ...orders.value.filter((o) => o.id !== order.id)]
  }

  async function accept(order: WorkOrder): Promise<void> {
    try {
      const path = { order_id: order.id }
      const updated = await unwrap(api.POST('/api/v1/work-orders/{order_id}/accept', { params: { path } }))
      toastOk(t('orders.done.accepted', { number: order.number }))
      changed(updated)
    } catch (error) {
      toastError(error)
    }
  }

  return { orders, failed, load, changed, accept }
}
