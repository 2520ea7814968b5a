import { describe, expect, it } from 'vitest'

import { type Readings, readingSeries, tooltipLines } from './readingChart'

const readings: Readings = {
  start: '2026-11-09T00:00:00Z',
  end: '2026-11-09T00:10:00Z',
  bucket_s: 120,
  last_values: [],
  series: [
    {
      metric: 'pressure_bar',
      buckets: [
        { start: '2026-11-09T00:00:00Z', min: '1.5', max: '3.25', mean: '2.416667', count: 3 },
        { start: '2026-11-09T00:02:00Z', min: '1', max: '2', mean: '1.333333', count: 3 },
      ],
    },
  ],
}

describe('the readings chart', () => {
  it('draws a band from min to max and the mean line', () => {
    const [low, span, mean] = readingSeries(readings) as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>]
    expect(low.data).toEqual([
      ['2026-11-09T00:00:00Z', 1.5],
      ['2026-11-09T00:02:00Z', 1],
    ])
    expect(span.data).toEqual([
      ['2026-11-09T00:00:00Z', 1.75],
      ['2026-11-09T00:02:00Z', 1],
    ])
    expect(low.stack).toBe(span.stack)
    expect(span.areaStyle).toBeDefined()
    expect(mean.name).toBe('pressure_bar')
    expect(mean.data).toEqual([
      ['2026-11-09T00:00:00Z', 2.416667],
      ['2026-11-09T00:02:00Z', 1.333333],
    ])
  })

  it('names the exact values in the tooltip', () => {
    expect(tooltipLines(readings, '2026-11-09T00:02:00Z')).toEqual(['pressure_bar 1.333333 (1–2)'])
    expect(tooltipLines(readings, '2026-11-09T00:04:00Z')).toEqual([])
  })
})
