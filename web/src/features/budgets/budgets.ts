/** A budget's grid (categories x 12 months) as the editor holds it: amounts are strings in
 * yuan, added in whole fen (src/money.ts), spread the way the hub spreads a yearly amount. */
import { fromFen, sumAmounts, toFen } from '@/money'
import type { Schemas } from '@/api/types'

export type Category = Schemas['BudgetCategory']
export type Status = Schemas['BudgetStatus']
export const MONTHS = 12

export const INCOME: Category[] = ['property_fee', 'utilities', 'parking', 'other_income']
export const COSTS: Category[] = [
  'labour',
  'repairs',
  'common_energy',
  'cleaning',
  'greening',
  'security',
  'admin',
  'other_cost',
]

export interface GridRow {
  category: Category
  months: string[]
}

/** A yearly amount as 12 months that add up to it: the fen left over go to the first months. */
export function spread(yearly: string): string[] {
  const fen = toFen(yearly)
  if (fen < 0n) throw new Error(`negative: ${yearly}`)
  const month = fen / BigInt(MONTHS)
  const extra = Number(fen - month * BigInt(MONTHS))
  return Array.from({ length: MONTHS }, (_, m) => fromFen(m < extra ? month + 1n : month))
}

export function rowTotal(row: GridRow): string {
  return sumAmounts(row.months)
}

export function gridTotal(rows: GridRow[]): string {
  return sumAmounts(rows.map(rowTotal))
}

/** What is not an amount to the fen (the hub refuses the lines then); null when all are. */
export function badAmount(rows: GridRow[]): string | null {
  for (const row of rows) {
    for (const amount of row.months) {
      if (!/^\d+(\.\d{1,2})?$/.test(amount.trim())) return amount
    }
  }
  return null
}

/** The grid a budget's lines make, in category order, zero rows left out. */
export function gridOf(lines: Schemas['LineOut'][]): GridRow[] {
  const order = [...INCOME, ...COSTS]
  return [...lines]
    .sort((a, b) => order.indexOf(a.category) - order.indexOf(b.category))
    .map((line) => ({ category: line.category, months: [...line.months] }))
}

/** Whether the head may still change it (a draft, or finance returned it). */
export function editable(status: Status): boolean {
  return status === 'draft' || status === 'returned'
}
