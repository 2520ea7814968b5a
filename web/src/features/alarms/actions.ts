/** What a person does with an alarm, asked and sent the same way from the list and the detail. */
import { useI18n } from 'vue-i18n'

import { api, unwrap } from '@/api/client'
import { promptText, toastError, toastOk } from '@/feedback/console'

import type { Alarm } from './alarmList'

export function useAlarmActions(changed: (alarm: Alarm) => void) {
  const { t } = useI18n()
  const path = (alarm: Alarm) => ({ params: { path: { alert_id: alarm.id } } })

  async function attempt<T>(call: () => Promise<T>, done: string): Promise<T | undefined> {
    try {
      const result = await call()
      toastOk(done)
      return result
    } catch (error) {
      if (error !== 'cancel' && error !== 'close') toastError(error) // else the dialog was dismissed
      return undefined
    }
  }

  /** A note typed in a dialog; rejects ('cancel') when the dialog is dismissed. */
  function askNote(title: string, label: string): Promise<string> {
    return promptText(title, label, {
      placeholder: t('alarms.noteHint'),
      required: t('alarms.noteRequired'),
      confirm: t('common.confirm'),
      cancel: t('common.cancel'),
      customClass: 'alarm-note-dialog',
    })
  }

  async function acknowledge(alarm: Alarm): Promise<void> {
    const updated = await attempt(
      () => unwrap(api.POST('/api/v1/alerts/{alert_id}/acknowledge', path(alarm))),
      t('alarms.done.acknowledged'),
    )
    if (updated) changed(updated)
  }

  async function close(alarm: Alarm): Promise<void> {
    const updated = await attempt(async () => {
      const note = await askNote(t('alarms.closeTitle', { title: alarm.title }), t('alarms.closeNote'))
      return unwrap(api.POST('/api/v1/alerts/{alert_id}/close', { ...path(alarm), body: { note } }))
    }, t('alarms.done.closed'))
    if (updated) changed(updated)
  }

  async function comment(alarm: Alarm): Promise<boolean> {
    const written = await attempt(async () => {
      const note = await askNote(t('alarms.commentTitle', { title: alarm.title }), t('alarms.commentNote'))
      return unwrap(api.POST('/api/v1/alerts/{alert_id}/comments', { ...path(alarm), body: { note } }))
    }, t('alarms.done.commented'))
    return written !== undefined
  }

  /** Open a fault order for the alarm, or link the open order `existing`. */
  async function workOrder(alarm: Alarm, existing: number | null, note: string) {
    const body = { existing_order_id: existing, note }
    const linked = await attempt(
      () => unwrap(api.POST('/api/v1/alerts/{alert_id}/work-order', { ...path(alarm), body })),
      existing === null ? t('alarms.done.orderCreated') : t('alarms.done.orderLinked'),
    )
    if (linked) changed(linked.alert)
    return linked
  }

  return { acknowledge, close, comment, workOrder }
}
