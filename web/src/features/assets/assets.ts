/** The equipment ledger (设施台账) in the console: its words, colours and small helpers. */
import { api, unwrap } from '@/api/client'
import type { Role, Schemas } from '@/api/types'

export type AssetOut = Schemas['AssetOut']
export type AssetDetail = Schemas['AssetDetail']
export type AssetClass = AssetOut['asset_class']
export type AssetStatus = AssetOut['status']
export type DocumentOut = Schemas['AssetDocumentOut']
export type ImportOut = Schemas['AssetImportOut']
export type Expiring = Schemas['AssetExpiringOut']

/** Who reads the ledger (the API's route matrix); only admins change it. */
export const READERS: Role[] = ['admin', 'operator', 'technician', 'customer_service']

export const CLASSES: AssetClass[] = [
  'elevator',
  'water_pump',
  'fire_alarm_panel',
  'fire_pump',
  'transformer',
  'generator',
  'access_gate',
  'camera',
  'boiler',
  'hvac',
  'lighting',
  'other',
]
export const STATUSES: AssetStatus[] = ['in_service', 'under_repair', 'standby', 'retired']
export const DOCUMENT_KINDS: DocumentOut['kind'][] = ['inspection_certificate', 'manual', 'warranty', 'other']

export const STATUS_TAGS: Record<AssetStatus, 'success' | 'danger' | 'info' | 'warning'> = {
  in_service: 'success',
  under_repair: 'danger',
  standby: 'warning',
  retired: 'info',
}

/** Days before expiry from which a document is flagged. */
export const EXPIRY_WARNING_DAYS = 30

export type Expiry = 'expired' | 'soon' | 'valid' | 'none'

/** How a document's expiry is shown: expired (red), within 30 days (amber), valid, undated. */
export function expiry(days: number | null): Expiry {
  if (days === null) return 'none'
  if (days < 0) return 'expired'
  return days <= EXPIRY_WARNING_DAYS ? 'soon' : 'valid'
}

export const EXPIRY_TAGS: Record<Expiry, 'danger' | 'warning' | 'success' | 'info'> = {
  expired: 'danger',
  soon: 'warning',
  valid: 'success',
  none: 'info',
}

export function asForm(body: FormData) {
  return { body: body as never, bodySerializer: (b: unknown) => b as FormData }
}

export async function labelUrl(assetId: number): Promise<string> {
  const path = { asset_id: assetId }
  const blob = await unwrap(api.GET('/api/v1/assets/{asset_id}/label.svg', { params: { path }, parseAs: 'blob' }))
  return URL.createObjectURL(blob as Blob)
}
