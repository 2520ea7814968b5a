/** What the reconciliation tab shows of a day: which lines need a note, and their colours. */
import type { Schemas } from '@/api/types'

export type ReconDay = Schemas['DayOut']
export type ReconItem = Schemas['ItemOut']
export type ReconProvider = ReconDay['provider']
export type Tag = 'success' | 'warning' | 'danger' | 'info' | 'primary'

export const PROVIDERS: ReconProvider[] = ['sandbox', 'wechat', 'alipay']

const TAGS: Record<ReconItem['kind'], Tag> = {
  matched: 'success',
  missing_ours: 'danger',
  missing_provider: 'danger',
  amount_mismatch: 'danger',
  other_day: 'warning',
  duplicate: 'warning',
  refund: 'primary',
}

export function stateTag(state: ReconDay['state']): Tag {
  return state === 'signed_off' ? 'success' : state === 'open' ? 'warning' : 'info'
}

export function kindTag(kind: ReconItem['kind']): Tag {
  return TAGS[kind]
}

/** Differences first (the unnoted ones before the noted), then the matched lines. */
export function reviewOrder(items: ReconItem[]): ReconItem[] {
  const rank = (item: ReconItem) => (item.kind === 'matched' ? 2 : item.note ? 1 : 0)
  return [...items].sort((a, b) => rank(a) - rank(b))
}

/** The provider owners pay through, if it is one the tab reconciles. */
export function defaultProvider(configured: string | undefined): ReconProvider {
  return PROVIDERS.find((p) => p === configured) ?? 'sandbox'
}

export function thisMonth(now: Date = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`
}
