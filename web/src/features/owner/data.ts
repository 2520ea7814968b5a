/** What the owner's pages read from the hub, typed from the API. */
import { api, unwrap } from '@/api/client'
import type { Schemas } from '@/api/types'

export type Bill = Schemas['BillOut']
export type BillLine = Schemas['BillLineOut']
export type MeterUsage = Schemas['MeterUsageOut']
export type Notice = Schemas['NoticeOut']
export type InboxItem = Schemas['InboxItemOut']

export type Repair = Schemas['WorkOrderOut']
export type RepairStep = Schemas['WorkOrderStepOut']

export const bills = () => unwrap(api.GET('/api/v1/bills'))
export const bill = (id: number) =>
  unwrap(api.GET('/api/v1/bills/{bill_id}', { params: { path: { bill_id: id } } }))
export const account = (homeId: number) =>
  unwrap(api.GET('/api/v1/homes/{home_id}/account', { params: { path: { home_id: homeId } } }))
export const usage = () => unwrap(api.GET('/api/v1/usage'))
export const notices = () => unwrap(api.GET('/api/v1/notices'))
/** Opening a notice is reading it: the hub keeps the first time. */
export async function readNotice(id: number): Promise<Notice> {
  const path = { notice_id: id }
  const found = await unwrap(api.GET('/api/v1/notices/{notice_id}', { params: { path } }))
  if (!found.read_at) await unwrap(api.POST('/api/v1/notices/{notice_id}/read', { params: { path } }))
  return found
}
export const inbox = () => unwrap(api.GET('/api/v1/notifications'))
export const markRead = (id: number) =>
  unwrap(api.POST('/api/v1/notifications/{item_id}/read', { params: { path: { item_id: id } } }))
export const startPayment = (id: number) =>
  unwrap(api.POST('/api/v1/bills/{bill_id}/pay', { params: { path: { bill_id: id } } }))

/** The bill ('pdf') or its receipt ('receipt.pdf') as a PDF file. */
export async function billDocument(id: number, kind: 'pdf' | 'receipt.pdf'): Promise<Blob> {
  const params = { params: { path: { bill_id: id } }, parseAs: 'blob' as const }
  const answer =
    kind === 'pdf'
      ? api.GET('/api/v1/bills/{bill_id}/pdf', params)
      : api.GET('/api/v1/bills/{bill_id}/receipt.pdf', params)
  return (await unwrap(answer)) as Blob
}

export const repairs = (openOnly = false) =>
  unwrap(api.GET('/api/v1/work-orders', { params: { query: { open: openOnly } } }))
export const repair = (id: number) =>
  unwrap(api.GET('/api/v1/work-orders/{order_id}', { params: { path: { order_id: id } } }))
export const repairHistory = (id: number) =>
  unwrap(api.GET('/api/v1/work-orders/{order_id}/history', { params: { path: { order_id: id } } }))
export const homes = () => unwrap(api.GET('/api/v1/homes'))

export async function repairPhoto(id: number): Promise<Blob> {
  const path = { order_id: id }
  return (await unwrap(
    api.GET('/api/v1/work-orders/{order_id}/photo', { params: { path }, parseAs: 'blob' }),
  )) as Blob
}

export const fileRepair = (form: FormData) =>
  unwrap(api.POST('/api/v1/work-orders', { body: form as never, bodySerializer: (b) => b as unknown as FormData }))
