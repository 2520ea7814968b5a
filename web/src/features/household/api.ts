/** A home's household (住户档案) through the API, for the owner's phone page and the console. */
import { api, unwrap } from '@/api/client'
import type { Schemas } from '@/api/types'

export type Household = Schemas['HouseholdOut']
export type Member = Schemas['MemberOut']
export type MemberBody = Schemas['MemberBody']
export type MemberKind = Member['kind']
export const KINDS: MemberKind[] = ['family', 'tenant', 'emergency_contact']

const home = (homeId: number) => ({ home_id: homeId })

export const household = (homeId: number) =>
  unwrap(api.GET('/api/v1/homes/{home_id}/household', { params: { path: home(homeId) } }))

export const addMember = (homeId: number, body: MemberBody) =>
  unwrap(api.POST('/api/v1/homes/{home_id}/household/members', { params: { path: home(homeId) }, body }))

export const removeMember = (homeId: number, memberId: number) =>
  unwrap(
    api.DELETE('/api/v1/homes/{home_id}/household/members/{member_id}', {
      params: { path: { ...home(homeId), member_id: memberId } },
    }),
  )

export const addVehicle = (homeId: number, plate: string, parkingSpace: string) =>
  unwrap(
    api.POST('/api/v1/homes/{home_id}/household/vehicles', {
      params: { path: home(homeId) },
      body: { plate, parking_space: parkingSpace },
    }),
  )

export const removeVehicle = (homeId: number, vehicleId: number) =>
  unwrap(
    api.DELETE('/api/v1/homes/{home_id}/household/vehicles/{vehicle_id}', {
      params: { path: { ...home(homeId), vehicle_id: vehicleId } },
    }),
  )

/** A member's form: every field a text (dates as YYYY-MM-DD), empty when not given. */
export interface MemberForm {
  kind: MemberKind
  name: string
  relation: string
  phone: string
  moved_in_on: string
  moved_out_on: string
}

/** A new member's form, emptied after each add. */
export function blankMember(): MemberForm {
  return { kind: 'family', name: '', relation: '', phone: '', moved_in_on: '', moved_out_on: '' }
}

/** What the form holds, as the API takes it: empty texts and dates left out. */
export function memberBody(form: MemberForm): MemberBody {
  return {
    kind: form.kind,
    name: form.name.trim(),
    relation: form.relation.trim(),
    phone: form.phone.trim() || null,
    moved_in_on: form.moved_in_on || null,
    moved_out_on: form.moved_out_on || null,
  }
}
