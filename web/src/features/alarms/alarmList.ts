/**
 * The control room's list logic, kept out of the page so it can be tested: which alarms a
 * filter shows (the hub filters the first load; live events are matched here), the order
 * (worst first, then newest), and what counts as waiting for a person.
 */
import type { Schemas } from '@/api/types'

export type Alarm = Schemas['AlertOut']
export type Severity = Schemas['Severity']
export type AlarmState = Schemas['AlertState']
export type DeviceKind = Schemas['DeviceKind']
export type AlarmView = Schemas['AlertView']

export const SEVERITIES: Severity[] = ['critical', 'major', 'minor', 'warning']
export const LOUD: ReadonlySet<Severity> = new Set(['critical', 'major'])

export interface AlarmFilter {
  view: AlarmView
  siteId: number | null
  buildingId: number | null
  severities: Severity[]
  deviceKinds: DeviceKind[]
  text: string
}

export function emptyFilter(): AlarmFilter {
  return { view: 'open', siteId: null, buildingId: null, severities: [], deviceKinds: [], text: '' }
}

const VIEW_STATES: Record<AlarmView, AlarmState[]> = {
  open: ['active_unacknowledged', 'active_acknowledged', 'cleared_unacknowledged'],
  unacknowledged: ['active_unacknowledged', 'cleared_unacknowledged'],
  active_unacknowledged: ['active_unacknowledged'],
  active_acknowledged: ['active_acknowledged'],
  cleared_unacknowledged: ['cleared_unacknowledged'],
  closed: ['cleared_acknowledged'],
  all: ['active_unacknowledged', 'active_acknowledged', 'cleared_unacknowledged', 'cleared_acknowledged'],
}
const WITH_SUPPRESSED: ReadonlySet<AlarmView> = new Set(['closed', 'all'])

/** Whether the hub would list `alarm` under `filter` (the same rules as GET /alerts). */
export function matches(alarm: Alarm, filter: AlarmFilter): boolean {
  if (!VIEW_STATES[filter.view].includes(alarm.state)) return false
  if (alarm.suppressed_by_id !== null && !WITH_SUPPRESSED.has(filter.view)) return false
  if (filter.siteId !== null && alarm.site_id !== filter.siteId) return false
  if (filter.buildingId !== null && alarm.building_id !== filter.buildingId) return false
  if (filter.severities.length && !filter.severities.includes(alarm.severity)) return false
  if (filter.deviceKinds.length && !(alarm.device_kind && filter.deviceKinds.includes(alarm.device_kind)))
    return false
  const text = filter.text.trim().toLowerCase()
  if (!text) return true
  return [alarm.title, alarm.location, alarm.device_name ?? ''].some((field) =>
    field.toLowerCase().includes(text),
  )
}

/** Worst first, then newest first, then the higher id (as the hub sorts). */
export function compareAlarms(a: Alarm, b: Alarm): number {
  const rank = SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity)
  if (rank) return rank
  const time = Date.parse(b.raised_at) - Date.parse(a.raised_at)
  return time || b.id - a.id
}

/** `list` with each of `alarms` put in its place, or taken out when the filter no longer
 * shows it (one sort for a whole batch of live events). */
export function upsert(list: Alarm[], alarms: Alarm[], filter: AlarmFilter): Alarm[] {
  const changed = new Set(alarms.map((alarm) => alarm.id))
  const others = list.filter((item) => !changed.has(item.id))
  const shown = alarms.filter((alarm) => matches(alarm, filter))
  return shown.length ? [...others, ...shown].sort(compareAlarms) : others
}

/** Alarms nobody has acknowledged yet: the tab title's count. */
export function unacknowledged(list: Alarm[]): Alarm[] {
  return list.filter((alarm) => alarm.unacknowledged)
}

/** Whether the room should hear an alarm now: a critical or major one nobody acknowledged. */
export function needsSound(list: Alarm[]): boolean {
  return list.some((alarm) => alarm.unacknowledged && LOUD.has(alarm.severity))
}

export interface Place {
  id: number
  name: string
}

/** The estates and buildings seen so far, for the filter's choices (merged, by name). */
export function places(list: Alarm[], known: { sites: Place[]; buildings: Place[] }) {
  const sites = new Map(known.sites.map((p) => [p.id, p]))
  const buildings = new Map(known.buildings.map((p) => [p.id, p]))
  for (const alarm of list) {
    sites.set(alarm.site_id, { id: alarm.site_id, name: alarm.site_name })
    if (alarm.building_id !== null && alarm.building_name !== null)
      buildings.set(alarm.building_id, { id: alarm.building_id, name: alarm.building_name })
  }
  const byName = (a: Place, b: Place) => a.name.localeCompare(b.name, 'zh-CN')
  return { sites: [...sites.values()].sort(byName), buildings: [...buildings.values()].sort(byName) }
}
