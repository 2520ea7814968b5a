import type { Schemas } from '@/api/types'

export type Tariff = Schemas['TariffOut']
export type Utility = Tariff['utility']
export const UTILITIES: Utility[] = ['electricity', 'water', 'property_fee']

type Translate = (key: string, values?: Record<string, unknown>) => string

/** "0–200 kWh ¥0.5283 · 200–400 kWh ¥0.5783 · over 400 kWh ¥0.8283", or one flat price. */
export function tiersText(tariff: Tariff, t: Translate): string {
  const { tiers, unit } = tariff
  if (tiers.length === 1) return t('admin.tariffs.flat', { price: tiers[0]!.unit_price, unit })
  let lower = '0'
  return tiers
    .map((tier) => {
      const text =
        tier.up_to === null
          ? t('admin.tariffs.over', { lower, unit, price: tier.unit_price })
          : t('admin.tariffs.band', { lower, upper: tier.up_to, unit, price: tier.unit_price })
      lower = tier.up_to ?? lower
      return text
    })
    .join(' · ')
}
