import { describe, expect, it } from 'vitest'

import { failureTrendOption, type MonthRow, reportMonth } from './equipment'

const month = (key: string, failures: number, availability: number | null): MonthRow => ({
  month: key,
  figures: {
    failures,
    repeat_failures: 0,
    scheduled_hours: 720,
    downtime_hours: 0,
    operating_hours: 720,
    repairs_completed: 0,
    mtbf_hours: null,
    mttr_hours: null,
    failures_per_1000_hours: null,
    failures_per_month: null,
    availability_pct: availability,
    maintenance_cost: '0.00',
    pm_due: 0,
    pm_on_time: 0,
    pm_compliance_pct: null,
  },
})

describe('the monthly report', () => {
  it('covers the last month of the period that has begun', () => {
    const months = [month('2026-10', 0, 100), month('2026-11', 0, 100), month('2026-12', 0, 100)]
    expect(reportMonth(months, '2026-11-20')).toBe('2026-11')
    expect(reportMonth(months, '2027-02-01')).toBe('2026-12')
    expect(reportMonth(months, '2026-01-01')).toBe('2026-10')
  })
})

describe('the failure trend', () => {
  it('draws failures as bars and availability as a line with gaps', () => {
    const option = failureTrendOption([month('2026-10', 2, 99.5), month('2026-11', 6, null)], {
      failures: 'Failures',
      availability: 'Availability',
    }) as { series: { type: string; data: (number | null)[] }[] }
    expect(option.series.map((s) => [s.type, s.data])).toEqual([
      ['bar', [2, 6]],
      ['line', [99.5, null]],
    ])
  })
})
