/** Owners' registration and homes' sales and tenant changes, through the API. */
import { api, unwrap } from '@/api/client'
import type { Schemas } from '@/api/types'

export type HomeChoice = Schemas['HomeChoice']
export type Registration = Schemas['RegistrationOut']
export type Change = Schemas['ChangeOut']
export type ChangeBody = Schemas['ChangeBody']
export type ChangeKind = Change['kind']
export type LimitState = Change['limit']
export const CHANGE_KINDS: ChangeKind[] = ['sale', 'tenant_in', 'tenant_out']

export const homeChoices = () => unwrap(api.GET('/api/v1/auth/registration/homes'))

export const applyFor = (body: Schemas['ApplicationBody']) => unwrap(api.POST('/api/v1/auth/registration', { body }))

export const verifyCode = (id: number, code: string) =>
  unwrap(api.POST('/api/v1/auth/registration/verify', { body: { id, code } }))

export const pendingRegistrations = () => unwrap(api.GET('/api/v1/registrations'))

const one = (id: number) => ({ params: { path: { registration_id: id } } })

export const confirmRegistration = (id: number) => unwrap(api.POST('/api/v1/registrations/{registration_id}/confirm', one(id)))

export const rejectRegistration = (id: number, reason: string) =>
  unwrap(api.POST('/api/v1/registrations/{registration_id}/reject', { ...one(id), body: { reason } }))

export const openChanges = () => unwrap(api.GET('/api/v1/ownership-changes'))

export const recordChange = (homeId: number, body: ChangeBody) =>
  unwrap(api.POST('/api/v1/homes/{home_id}/ownership-changes', { params: { path: { home_id: homeId } }, body }))

export const applyChange = (id: number) =>
  unwrap(api.POST('/api/v1/ownership-changes/{change_id}/apply', { params: { path: { change_id: id } } }))

/** The deadline chip's colour (the shared `.time-chip` palette) for a change's 24-hour limit. */
export const CHIP: Record<LimitState, string> = { open: 'running', overdue: 'overdue', met: 'met', breached: 'late' }

/** A new change's form, as texts; empty fields are left out of the request. */
export interface ChangeForm {
  kind: ChangeKind
  notified_at: string
  new_owner_username: string
  registration_id: number | null
  tenant_name: string
  tenant_phone: string
  member_id: number | null
  moved_on: string
}

export function blankChange(): ChangeForm {
  return { kind: 'sale', notified_at: '', new_owner_username: '', registration_id: null, tenant_name: '', tenant_phone: '', member_id: null, moved_on: '' }
}

export function changeBody(form: ChangeForm): ChangeBody {
  const text = (value: string) => value.trim() || null
  return {
    kind: form.kind,
    notified_at: form.notified_at ? new Date(form.notified_at).toISOString() : null,
    new_owner_username: form.kind === 'sale' && form.registration_id === null ? text(form.new_owner_username) : null,
    registration_id: form.kind === 'sale' ? form.registration_id : null,
    tenant_name: form.kind === 'tenant_in' ? text(form.tenant_name) : null,
    tenant_phone: form.kind === 'tenant_in' ? text(form.tenant_phone) : null,
    member_id: form.kind === 'tenant_out' ? form.member_id : null,
    moved_on: form.kind === 'sale' ? null : form.moved_on || null,
    note: '',
  }
}
