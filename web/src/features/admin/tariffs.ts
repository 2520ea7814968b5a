import type { Schemas } from '@/api/types'

export type Tariff = Schemas['TariffOut']
export type Utility = Tariff['utility']
export type TierPeriod = Tariff['tier_period']
export const UTILITIES: Utility[] = ['electricity', 'water', 'property_fee']
export const TIER_PERIODS: TierPeriod[] = ['month', 'year']
export const MONTHS = Array.from({ length: 12 }, (_, i) => i + 1)
export type TouBand = NonNullable<Tariff['tiers'][number]['band']>
export const BANDS: TouBand[] = ['sharp', 'peak', 'flat', 'valley']
export type HomeType = NonNullable<Tariff['home_type']>
export const HOME_TYPES: HomeType[] = ['residential', 'shop', 'office', 'storage']

type Translate = (key: string, values?: Record<string, unknown>) => string

/** "0–200 kWh ¥0.5283 · 200–400 kWh ¥0.5783 · over 400 kWh ¥0.8283", or one flat price;
 * yearly blocks, a seasonal price's months and a property fee's homes (type, floors) say so. */
export function tiersText(tariff: Tariff, t: Translate): string {
  const season = tariff.months ? t('admin.tariffs.season', { months: tariff.months.join(',') }) : ''
  return scopeText(tariff, t) + blocksText(tariff, t) + season
}

/** "Shop, floors 7+: " for a property fee of some homes only; nothing for all homes. */
export function scopeText(tariff: Tariff, t: Translate): string {
  const parts: string[] = []
  if (tariff.home_type) parts.push(t(`admin.homeTypes.${tariff.home_type}`))
  if (tariff.floor_from !== null || tariff.floor_to !== null) {
    const from = tariff.floor_from ?? 1
    parts.push(
      tariff.floor_to === null ? t('admin.tariffs.floorsUp', { from }) : t('admin.tariffs.floors', { from, to: tariff.floor_to }),
    )
  }
  return parts.length ? t('admin.tariffs.scope', { homes: parts.join(', ') }) : ''
}

function blocksText(tariff: Tariff, t: Translate): string {
  const { tiers, unit } = tariff
  if (tiers.some((tier) => tier.band)) {
    const band = (tier: Tariff['tiers'][number]) => t(`admin.tariffs.bands.${tier.band}`)
    return tiers.map((tier) => t('admin.tariffs.bandPrice', { band: band(tier), price: tier.unit_price })).join(' · ')
  }
  if (tiers.length === 1) return t('admin.tariffs.flat', { price: tiers[0]!.unit_price, unit })
  let lower = '0'
  const bands = tiers
    .map((tier) => {
      const text =
        tier.up_to === null
          ? t('admin.tariffs.over', { lower, unit, price: tier.unit_price })
          : t('admin.tariffs.band', { lower, upper: tier.up_to, unit, price: tier.unit_price })
      lower = tier.up_to ?? lower
      return text
    })
    .join(' · ')
  return tariff.tier_period === 'year' ? bands + t('admin.tariffs.yearly') : bands
}
