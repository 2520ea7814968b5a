/** Device states and how the console shows them: one colour per state, everywhere. */
import type { Schemas } from '@/api/types'

export type DeviceOut = Schemas['DeviceOut']
export type DeviceDetail = Schemas['DeviceDetail']
export type DeviceState = DeviceOut['state']
export type DeviceKind = DeviceOut['kind']

export const STATES: DeviceState[] = [
  'normal',
  'alarm',
  'offline',
  'suppressed',
  'unknown',
  'retired',
]
export const KINDS: DeviceKind[] = [
  'leak_sensor',
  'smoke_sensor',
  'temperature_sensor',
  'electricity_meter',
  'water_meter',
  'pump',
  'gate',
  'checkpoint_reader',
  'camera',
  'gateway',
]

/** Green, red, dark grey, amber, grey, pale grey; offline and unknown icons also get a dashed
 * ring. */
export const STATE_COLORS: Record<DeviceState, string> = {
  normal: '#2e9b57',
  alarm: '#d93026',
  offline: '#4b5563',
  suppressed: '#c77c02',
  unknown: '#8e99a8',
  retired: '#c0c4cc',
}

/** Element Plus tag type for a state. */
export const STATE_TAGS: Record<DeviceState, 'success' | 'danger' | 'info' | 'warning'> = {
  normal: 'success',
  alarm: 'danger',
  offline: 'info',
  suppressed: 'warning',
  unknown: 'info',
  retired: 'info',
}

/** "pressure_bar 2.75 · current_a 4.1": a device's last values in one line. */
export function lastValuesText(device: Pick<DeviceOut, 'last_values'>, limit = 3): string {
  const parts = device.last_values
    .slice(0, limit)
    .map((v) => `${v.metric} ${v.value ?? v.text ?? ''}`.trim())
  if (device.last_values.length > limit) parts.push('…')
  return parts.join(' · ')
}

/** A short local time, or a dash. */
export function when(value: string | null | undefined, locale: string): string {
  if (!value) return '—'
  return new Date(value).toLocaleString(locale, { hour12: false })
}
