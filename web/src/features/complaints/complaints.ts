/**
 * Complaints and suggestions (投诉建议) for the owner's pages and the console: the API calls,
 * the vocabulary, and where a deadline stands (reviewed within 1 h, owner contacted within 24 h;
 * the hub computes the deadlines and the breached flags, the page only counts down to them).
 */
import { onBeforeUnmount, onMounted, ref, type Ref, watch } from 'vue'

import { api, unwrap } from '@/api/client'
import type { Schemas } from '@/api/types'
import { asForm } from '@/features/orders/orders'
import { onLive } from '@/live/feed'

export type Complaint = Schemas['ComplaintOut']
export type ComplaintDetail = Schemas['ComplaintDetailOut']
export type ComplaintIn = Schemas['ComplaintIn']
export type Deadline = Schemas['DeadlineOut']
export type Kind = Schemas['ComplaintKind']
export type Department = Schemas['Department']
export type Status = Schemas['ComplaintStatus']
export type ContactMethod = Schemas['ContactMethod']

export const KINDS: Kind[] = ['service_complaint', 'sanitation', 'suggestion', 'praise', 'other']
export const DEPARTMENTS: Department[] = ['maintenance', 'cleaning', 'customer_service', 'security', 'landscaping']
export const CLOSED: Status[] = ['closed', 'out_of_scope']
export const MAX_PHOTOS = 4

/** Every complaint the reader may see, or one department's queue (assigned to it, or routed to it
 * by the SLA file until assigned). */
export const listComplaints = (department?: Department) =>
  unwrap(api.GET('/api/v1/complaints', { params: { query: department ? { department } : {} } }))
export const getComplaint = (id: number) =>
  unwrap(api.GET('/api/v1/complaints/{complaint_id}', { params: { path: { complaint_id: id } } }))
export const recordComplaint = (body: ComplaintIn) => unwrap(api.POST('/api/v1/complaints', { body }))

/** Attach photos (JPEG or PNG, 4 at most in all) to an open complaint. */
export function attachPhotos(id: number, files: File[]) {
  const body = new FormData()
  for (const file of files) body.append('photos', file)
  return unwrap(api.POST('/api/v1/complaints/{complaint_id}/photos', { params: { path: { complaint_id: id } }, ...asForm(body) }))
}

/** The complaint's photos as object URLs (they need the token, so no plain <img src>), kept in
 * step with the complaint and released when the page goes. */
/** A photo or short video attached to a complaint, as a local URL the page can show. */
export interface Media {
  url: string
  video: boolean
}

export function usePhotoUrls(complaint: Ref<ComplaintDetail | undefined | null>): Ref<Media[]> {
  const urls = ref<Media[]>([])
  const release = () => urls.value.forEach((m) => URL.revokeObjectURL(m.url))
  watch(
    () => complaint.value && `${complaint.value.id}:${complaint.value.photos.map((p) => p.id).join(',')}`,
    async () => {
      const found = complaint.value
      const blobs = await Promise.all(
        (found?.photos ?? []).map((photo) => {
          const path = { complaint_id: found!.id, photo_id: photo.id }
          return unwrap(api.GET('/api/v1/complaints/{complaint_id}/photos/{photo_id}', { params: { path }, parseAs: 'blob' }))
        }),
      )
      release()
      urls.value = blobs.map((blob, i) => ({
        url: URL.createObjectURL(blob as Blob),
        video: found!.photos[i]!.content_type.startsWith('video/'),
      }))
    },
    { immediate: true },
  )
  onBeforeUnmount(release)
  return urls
}

type Path = { params: { path: { complaint_id: number } } }
const at = (id: number): Path => ({ params: { path: { complaint_id: id } } })

/** Each step of the flow, as the hub names it. */
export const steps = {
  review: (id: number, category: string) =>
    unwrap(api.POST('/api/v1/complaints/{complaint_id}/review', { ...at(id), body: { category } })),
  assign: (id: number, department: Department) =>
    unwrap(api.POST('/api/v1/complaints/{complaint_id}/assign', { ...at(id), body: { department } })),
  contact: (id: number, body: Schemas['ContactIn']) =>
    unwrap(api.POST('/api/v1/complaints/{complaint_id}/contacts', { ...at(id), body })),
  result: (id: number, result: string) =>
    unwrap(api.POST('/api/v1/complaints/{complaint_id}/result', { ...at(id), body: { result } })),
  outOfScope: (id: number, reason: string) =>
    unwrap(api.POST('/api/v1/complaints/{complaint_id}/out-of-scope', { ...at(id), body: { reason } })),
  confirm: (id: number, satisfaction: number) =>
    unwrap(api.POST('/api/v1/complaints/{complaint_id}/confirm', { ...at(id), body: { satisfaction: satisfaction || null } })),
  reopen: (id: number, reason: string) =>
    unwrap(api.POST('/api/v1/complaints/{complaint_id}/reopen', { ...at(id), body: { reason } })),
}

/** Where one deadline stands at `now` (epoch ms). */
export type DeadlineState = 'running' | 'overdue' | 'met' | 'late'

export function deadlineState(deadline: Deadline, now: number): DeadlineState {
  if (deadline.done_at) return deadline.breached ? 'late' : 'met'
  return deadline.breached || Date.parse(deadline.due) < now ? 'overdue' : 'running'
}

/** Whether a limit still running is past due (the hub lists these first). */
export function overdue(complaint: Complaint, now: number): boolean {
  if (CLOSED.includes(complaint.status)) return false
  return [complaint.review, complaint.contact_owner].some((d) => deadlineState(d, now) === 'overdue')
}

/** The deadline still running (review first, then contact), or null when both are done. */
export function nextDeadline(complaint: Complaint): { step: 'review' | 'contact'; deadline: Deadline } | null {
  if (CLOSED.includes(complaint.status)) return null
  if (!complaint.review.done_at) return { step: 'review', deadline: complaint.review }
  if (!complaint.contact_owner.done_at) return { step: 'contact', deadline: complaint.contact_owner }
  return null
}

/** Call `load` on mount, on every complaint event of the live feed (bursts coalesced) and after
 * a resync. */
export function useComplaintsRefresh(load: () => Promise<void>): void {
  let soon: ReturnType<typeof setTimeout> | undefined
  const later = () => (soon ??= setTimeout(() => ((soon = undefined), void load()), 300))
  onLive('complaint', later)
  onLive('snapshot', later)
  onMounted(() => void load())
  onBeforeUnmount(() => clearTimeout(soon))
}
