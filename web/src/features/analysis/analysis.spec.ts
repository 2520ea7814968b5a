import { describe, expect, it } from 'vitest'

import { type DepartmentFigures, departmentOption, figure, monthsToPeriod, periodToMonths } from './analysis'

describe('the analysis period', () => {
  it('turns picked months into [from, to) days, across a new year', () => {
    expect(monthsToPeriod('2026-10', '2026-11')).toEqual({ from: '2026-10-01', to: '2026-12-01' })
    expect(monthsToPeriod('2026-07', '2026-12')).toEqual({ from: '2026-07-01', to: '2027-01-01' })
  })

  it('shows a period the API chose as the months it covers', () => {
    expect(periodToMonths('2026-06-01', '2026-12-01')).toEqual(['2026-06', '2026-11'])
    expect(periodToMonths('2026-08-01', '2027-01-01')).toEqual(['2026-08', '2026-12'])
  })
})

describe('a figure in a table', () => {
  it('is a dash without a sample', () => {
    expect(figure(null)).toBe('—')
    expect(figure(63.6, ' %')).toBe('63.6 %')
  })
})

describe('the department chart', () => {
  it('draws each department\'s complaints and both limits met % in the API\'s order', () => {
    const sla = (pct: number | null) => ({ judged: 2, met: 1, met_pct: pct, pending: 0 })
    const rows: DepartmentFigures[] = [
      { department: 'cleaning', complaints: 2, review: sla(50), contact: sla(100), reopened: 1, rated: 1, satisfaction: 4 },
      { department: 'unrouted', complaints: 1, review: sla(0), contact: sla(null), reopened: 0, rated: 0, satisfaction: null },
    ]
    const option = departmentOption(rows, (d) => d.toUpperCase(), { complaints: 'n', review: 'r', contact: 'c' }) as {
      xAxis: { data: string[] }
      series: { data: (number | null)[] }[]
    }
    expect(option.xAxis.data).toEqual(['CLEANING', 'UNROUTED'])
    expect(option.series.map((s) => s.data)).toEqual([[2, 1], [50, 0], [100, null]])
  })
})
