import { describe, expect, it } from 'vitest'

import { usageOption } from './usageChart'

describe('usage chart', () => {
  it('draws one series per meter and leaves unknown months as gaps', () => {
    const months = [
      { period: '2026-10', quantity: '12.5', complete: true },
      { period: '2026-11', quantity: null, complete: false },
    ]
    const option = usageOption(
      [
        { home: 'B1/101', meter: 'em', utility: 'electricity', unit: 'kWh', months },
        { home: 'B1/101', meter: 'wm', utility: 'water', unit: 'm3', months },
      ],
      (meter) => meter.utility,
    ) as { series: { data: (number | null)[]; yAxisIndex: number }[]; xAxis: { data: string[] } }
    expect(option.xAxis.data).toEqual(['26/10', '26/11'])
    expect(option.series.map((s) => s.yAxisIndex)).toEqual([0, 1])
    expect(option.series[0]!.data).toEqual([12.5, null])
  })
})
