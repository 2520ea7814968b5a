/** Customer service deciding for an owner on the phone: cancel a request before work starts, or
 * send a completed repair back, each with the reason typed in a dialog (the hub requires one). */
import { useI18n } from 'vue-i18n'

import { api, unwrap } from '@/api/client'
import { promptText, toastError, toastOk } from '@/feedback/console'

import type { WorkOrder } from './orders'

type Decision = 'cancel' | 'refuse'

export function useOrderDecisions(changed: (order: WorkOrder) => void) {
  const { t } = useI18n()

  async function decide(order: WorkOrder, decision: Decision): Promise<void> {
    let reason: string
    try {
      reason = await promptText(t(`orders.decide.${decision}Title`, { number: order.number }), t(`orders.decide.${decision}Reason`), {
        placeholder: t('orders.decide.reasonHint'),
        required: t('orders.decide.reasonRequired'),
        confirm: t(`orders.actions.${decision}`),
        cancel: t('common.cancel'),
        customClass: 'order-reason-dialog',
      })
    } catch {
      return // dismissed
    }
    try {
      const params = { path: { order_id: order.id } }
      const route = decision === 'cancel' ? '/api/v1/work-orders/{order_id}/cancel' : '/api/v1/work-orders/{order_id}/refuse'
      const updated = await unwrap(api.POST(route, { params, body: { reason } }))
      toastOk(t(`orders.done.${decision === 'cancel' ? 'cancelled' : 'refused'}`, { number: order.number }))
      changed(updated)
    } catch (error) {
      toastError(error)
    }
  }

  return {
    cancel: (order: WorkOrder) => decide(order, 'cancel'),
    refuse: (order: WorkOrder) => decide(order, 'refuse'),
  }
}
