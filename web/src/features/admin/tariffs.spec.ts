import { describe, expect, it } from 'vitest'

import { type Tariff, tiersText } from './tariffs'

const words: Record<string, string> = {
  'admin.tariffs.flat': '¥{price}/{unit}',
  'admin.tariffs.band': '{lower}–{upper} {unit} ¥{price}',
  'admin.tariffs.over': '{lower} {unit}+ ¥{price}',
  'admin.tariffs.yearly': ' a year',
  'admin.tariffs.season': ' (months {months})',
  'admin.tariffs.bandPrice': '{band} ¥{price}',
  'admin.tariffs.bands.peak': 'Peak',
  'admin.tariffs.bands.valley': 'Valley',
  'admin.tariffs.scope': '{homes}: ',
  'admin.tariffs.floorsUp': 'floors {from}+',
  'admin.tariffs.floors': 'floors {from}–{to}',
  'admin.homeTypes.shop': 'Shop',
}
const t = (key: string, values: Record<string, unknown> = {}): string =>
  (words[key] ?? key).replace(/\{(\w+)\}/g, (_, name: string) => String(values[name]))

function tariff(change: Partial<Tariff>): Tariff {
  return {
    id: 1,
    site_id: 1,
    site: 'Green Garden',
    utility: 'electricity',
    version: 1,
    effective_from: '2026-01-01T00:00:00Z',
    effective_on: '2026-01-01',
    unit: 'kWh',
    tier_period: 'month',
    months: null,
    in_force: true,
    home_type: null,
    floor_from: null,
    floor_to: null,
    tiers: [{ seq: 1, up_to: null, unit_price: '0.60', band: null }],
    ...change,
  }
}

describe('tiersText', () => {
  it('writes a flat all-year price alone', () => {
    expect(tiersText(tariff({}), t)).toBe('¥0.60/kWh')
  })

  it('names the blocks, a yearly count and a season', () => {
    const tiers = [
      { seq: 1, up_to: '260', unit_price: '0.53', band: null },
      { seq: 2, up_to: null, unit_price: '0.83', band: null },
    ]
    expect(tiersText(tariff({ tiers, tier_period: 'year', months: [7, 8, 9] }), t)).toBe(
      '0–260 kWh ¥0.53 · 260 kWh+ ¥0.83 a year (months 7,8,9)',
    )
  })

  it('prices each time-of-use band', () => {
    const tiers = [
      { seq: 1, up_to: null, unit_price: '0.6170', band: 'peak' as const },
      { seq: 2, up_to: null, unit_price: '0.3070', band: 'valley' as const },
    ]
    expect(tiersText(tariff({ tiers }), t)).toBe('Peak ¥0.6170 · Valley ¥0.3070')
  })
})

describe('a property fee for some homes', () => {
  it('names the home type and the floor band before the price', () => {
    const shops = tariff({ utility: 'property_fee', unit: 'm2', home_type: 'shop', tiers: [{ seq: 1, up_to: null, unit_price: '4.00', band: null }] })
    expect(tiersText(shops, t)).toBe('Shop: ¥4.00/m2')
    const high = tariff({ utility: 'property_fee', unit: 'm2', floor_from: 7, tiers: [{ seq: 1, up_to: null, unit_price: '2.80', band: null }] })
    expect(tiersText(high, t)).toBe('floors 7+: ¥2.80/m2')
  })
})
