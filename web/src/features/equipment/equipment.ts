/** The equipment analysis page's helpers: who may read it, the trend chart's option, and the
 * report month a period suggests. Every figure comes from the API (GET /asset-analytics). */
import type { EChartsCoreOption } from 'echarts/core'

import type { Role, Schemas } from '@/api/types'

export type Analytics = Schemas['AssetAnalyticsOut']
export type Figures = Schemas['FiguresOut']
export type AssetRow = Schemas['AssetRowOut']
export type ClassRow = Schemas['ClassRowOut']
export type MonthRow = Schemas['MonthRowOut']
export type StalledCounter = Schemas['StalledCounterOut']

// who may read it: api/routers/asset_analytics.py
export const READERS: Role[] = ['admin', 'operator', 'technician']

// a usage counter still for this many days is listed as stalled (asked of the API)
export const STALLED_DAYS = 7

const FAILURES = '#6366f1'
const AVAILABILITY = '#10b981'

/** Failures per month as bars, availability % as a line on its own axis (none: a gap). */
export function failureTrendOption(months: MonthRow[], names: { failures: string; availability: string }): EChartsCoreOption {
  return {
    animation: false,
    grid: { left: 8, right: 8, top: 36, bottom: 4, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: months.map((m) => m.month) },
    yAxis: [
      { type: 'value', minInterval: 1 },
      { type: 'value', max: 100, scale: true, splitLine: { show: false }, axisLabel: { formatter: '{value} %' } },
    ],
    series: [
      { type: 'bar', name: names.failures, barMaxWidth: 28, itemStyle: { color: FAILURES }, data: months.map((m) => m.figures.failures) },
      {
        type: 'line',
        name: names.availability,
        yAxisIndex: 1,
        connectNulls: false,
        itemStyle: { color: AVAILABILITY },
        data: months.map((m) => m.figures.availability_pct),
      },
    ],
  }
}

/** The month the PDF report covers by default: the period's last month that has begun
 * (`today` "YYYY-MM-DD", the period's months "YYYY-MM"). */
export function reportMonth(months: MonthRow[], today: string): string {
  const begun = months.filter((m) => m.month <= today.slice(0, 7))
  return (begun.at(-1) ?? months[0])?.month ?? today.slice(0, 7)
}
