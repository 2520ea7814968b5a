/** The analysis page's arithmetic-free helpers: the period as the API's [from, to) days, and the
 * chart options (trend of monthly averages, 1-5 distributions). The figures come from the API. */
import type { EChartsCoreOption } from 'echarts/core'

import type { Schemas } from '@/api/types'

export type Analysis = Schemas['ServiceAnalysisOut']
export type Group = Schemas['GroupOut']
export type DepartmentFigures = Schemas['DepartmentFiguresOut']
export type Question = Schemas['QuestionScoreOut']

const ATTITUDE = '#0ea5e9'
const QUALITY = '#f59e0b'
// attitude and quality keep their trend colours; then timeliness, overall, and any more
const QUESTION_COLOURS = [ATTITUDE, QUALITY, '#10b981', '#8b5cf6', '#ef4444', '#64748b']

/** Months "YYYY-MM" first..last (both included) as the API's from (first day) and to (the
 * first day of the month after the last). */
export function monthsToPeriod(first: string, last: string): { from: string; to: string } {
  const [year, month] = last.split('-').map(Number) as [number, number]
  const next = month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`
  return { from: `${first}-01`, to: `${next}-01` }
}

/** The months a period [from, to) covers, as the month picker's first and last "YYYY-MM". */
export function periodToMonths(from: string, to: string): [string, string] {
  const [year, month] = to.slice(0, 7).split('-').map(Number) as [number, number]
  const last = month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`
  return [from.slice(0, 7), last]
}

interface Names {
  attitude: string
  quality: string
  rated: string
}

/** The monthly averages of both questions as lines, the number rated as bars behind them. */
export function trendOption(months: Group[], names: Names): EChartsCoreOption {
  return {
    animation: false,
    grid: { left: 8, right: 8, top: 36, bottom: 4, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: months.map((m) => m.key) },
    yAxis: [
      { type: 'value', min: 0, max: 5, interval: 1 },
      { type: 'value', minInterval: 1, splitLine: { show: false } },
    ],
    series: [
      { type: 'bar', name: names.rated, yAxisIndex: 1, barMaxWidth: 24, itemStyle: { color: '#cbd5e1' }, data: months.map((m) => m.ratings.rated) },
      { type: 'line', name: names.attitude, itemStyle: { color: ATTITUDE }, data: months.map((m) => m.ratings.attitude.average) },
      { type: 'line', name: names.quality, itemStyle: { color: QUALITY }, data: months.map((m) => m.ratings.quality.average) },
    ],
  }
}

/** How many gave each score, 1 to 5, for every score question of the survey side by side. */
export function distributionOption(ratings: Schemas['RatingsOut'], label: (q: Question) => string): EChartsCoreOption {
  return {
    animation: false,
    grid: { left: 8, right: 8, top: 36, bottom: 4, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: ['1', '2', '3', '4', '5'] },
    yAxis: { type: 'value', minInterval: 1 },
    series: ratings.questions.map((q, index) => ({
      type: 'bar',
      name: label(q),
      barMaxWidth: 24,
      itemStyle: { color: QUESTION_COLOURS[index % QUESTION_COLOURS.length] },
      data: q.score.distribution,
    })),
  }
}

/** Complaints per department as bars, with the review and contact limits met % as lines on a
 * 0-100 axis (`label` names a department in the reader's language). */
export function departmentOption(
  rows: DepartmentFigures[],
  label: (department: string) => string,
  names: { complaints: string; review: string; contact: string },
): EChartsCoreOption {
  return {
    animation: false,
    grid: { left: 8, right: 8, top: 36, bottom: 4, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: rows.map((r) => label(r.department)) },
    yAxis: [
      { type: 'value', minInterval: 1 },
      { type: 'value', min: 0, max: 100, splitLine: { show: false } },
    ],
    series: [
      { type: 'bar', name: names.complaints, barMaxWidth: 32, itemStyle: { color: '#6366f1' }, data: rows.map((r) => r.complaints) },
      { type: 'line', name: names.review, yAxisIndex: 1, itemStyle: { color: ATTITUDE }, data: rows.map((r) => r.review.met_pct) },
      { type: 'line', name: names.contact, yAxisIndex: 1, itemStyle: { color: QUALITY }, data: rows.map((r) => r.contact.met_pct) },
    ],
  }
}

/** A figure for a table cell: "—" when there is no sample. */
export function figure(value: number | null | undefined, suffix = ''): string {
  return value === null || value === undefined ? '—' : `${value}${suffix}`
}

/** The local calendar day of an instant, "YYYY-MM-DD" (an order at 17:00 UTC on the 31st is
 * the 1st in Shanghai). */
export function localDay(iso: string): string {
  return new Date(iso).toLocaleDateString('sv-SE')
}
