/**
 * The maintenance record (维修记录) on the technician's form: the code lists and the cost the
 * hub will compute, previewed in whole fen (quantity up to 3 decimals x unit price, each line
 * rounded half up to the fen, plus the other cost) so the phone shows what the hub will store.
 */
import type { Schemas } from '@/api/types'
import { fromFen, toFen } from '@/money'

export type MaintenanceRecord = Schemas['MaintenanceRecordOut']
export type RecordIn = Schemas['RecordIn']
export type Cause = Schemas['FailureCause']
export type Remedy = Schemas['RepairRemedy']

export const CAUSES: Cause[] = ['wear', 'misuse', 'power', 'water_ingress', 'vandalism', 'design', 'unknown']
export const REMEDIES: Remedy[] = ['replace_part', 'repair', 'adjust', 'clean', 'reset', 'no_fault_found']

/** One part line as typed: strings, as the fields hold them. */
export interface PartDraft {
  name: string
  quantity: string
  unit_price: string
}

/** "1.5" -> 1500n (thousandths); null when it is not a quantity of up to 3 decimals. */
function milli(quantity: string): bigint | null {
  const match = /^(\d+)(?:\.(\d{1,3}))?$/.exec(quantity.trim())
  if (!match) return null
  const [, whole, part = ''] = match
  return BigInt(whole!) * 1000n + BigInt(part.padEnd(3, '0'))
}

function fen(price: string): bigint | null {
  try {
    return /^\d+(\.\d{1,2})?$/.test(price.trim()) ? toFen(price) : null
  } catch {
    return null
  }
}

/** The line's cost ("24.70"), or null while its quantity or price is not a valid number. */
export function partCost(part: Pick<PartDraft, 'quantity' | 'unit_price'>): string | null {
  const q = milli(part.quantity)
  const p = fen(part.unit_price)
  if (q === null || p === null) return null
  return fromFen((q * p + 500n) / 1000n)
}

/** Parts plus the other cost; null while any number is not valid yet. */
export function totalCost(parts: PartDraft[], other: string): string | null {
  const lines = parts.map(partCost)
  const extra = fen(other || '0')
  if (extra === null || lines.some((cost) => cost === null)) return null
  return fromFen(lines.reduce((sum, cost) => sum + toFen(cost!), extra))
}

/** The form's parts as the API takes them: named lines only. */
export function partsIn(parts: PartDraft[]): RecordIn['parts'] {
  return parts
    .filter((p) => p.name.trim())
    .map((p) => ({ name: p.name.trim(), quantity: p.quantity.trim(), unit_price: p.unit_price.trim() }))
}
