import type { Schemas } from '@/api/types'

export type BilledHome = Schemas['HomeBillingOut']
export type HomeType = BilledHome['home_type']
export const HOME_TYPES: HomeType[] = ['residential', 'shop', 'office', 'storage']
export type Space = Schemas['SpaceOut']
export type Contract = Schemas['ContractOut']

/** "2026-11-16 – open" / "2026-11-16 – 2027-06-30": the days a home or a contract is billed. */
export function daysText(from: string | null | undefined, until: string | null | undefined, open: string): string {
  if (!from && !until) return open
  return `${from ?? '…'} – ${until ?? open}`
}
