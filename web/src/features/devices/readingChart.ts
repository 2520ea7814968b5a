/** The drawer's readings chart: per metric a min-max band and the mean line, over buckets the
 * hub worked out (GET /devices/{id}/readings). */
import type { Schemas } from '@/api/types'

export type Readings = Schemas['ReadingsOut']

/** The ranges the drawer offers, in hours (the API takes `hours`, by the hub's clock). */
export const RANGES = [
  { key: '24h', hours: 24 },
  { key: '7d', hours: 7 * 24 },
  { key: '30d', hours: 30 * 24 },
] as const
export type RangeKey = (typeof RANGES)[number]['key']

const PALETTE = ['#2f6fdd', '#d9822b', '#2e9b57', '#8e44ad', '#c0392b']

type Point = [string, number]

/** ECharts series: for each metric, its band (min, then max − min stacked on it, filled) and
 * its mean line; the tooltip names min, mean and max from the buckets, not the stack. */
export function readingSeries(readings: Readings): Record<string, unknown>[] {
  return readings.series.flatMap((s, n) => {
    const color = PALETTE[n % PALETTE.length]
    const stack = `band-${s.metric}`
    const lows: Point[] = s.buckets.map((b) => [b.start, Number(b.min)])
    const spans: Point[] = s.buckets.map((b) => [b.start, Number(b.max) - Number(b.min)])
    const means: Point[] = s.buckets.map((b) => [b.start, Number(b.mean)])
    const band = { type: 'line', stack, symbol: 'none', lineStyle: { opacity: 0 }, silent: true }
    return [
      { ...band, name: `${s.metric}-min`, data: lows },
      { ...band, name: `${s.metric}-range`, data: spans, areaStyle: { color, opacity: 0.18 } },
      {
        type: 'line',
        name: s.metric,
        data: means,
        showSymbol: s.buckets.length < 40,
        itemStyle: { color },
        lineStyle: { color, width: 2 },
      },
    ]
  })
}

/** "pressure_bar 2.4 (1.9–3.1)" lines for the buckets that start at `start`. */
export function tooltipLines(readings: Readings, start: string): string[] {
  return readings.series.flatMap((s) => {
    const bucket = s.buckets.find((b) => b.start === start)
    return bucket ? [`${s.metric} ${bucket.mean} (${bucket.min}–${bucket.max})`] : []
  })
}

export function readingChart(readings: Readings, when: (iso: string) => string): Record<string, unknown> {
  return {
    animation: false,
    tooltip: {
      trigger: 'axis',
      formatter: (items: { axisValue?: string | number; value?: Point }[]) => {
        const start = items[0]?.value?.[0]
        if (!start) return ''
        return [when(start), ...tooltipLines(readings, start)].join('<br>')
      },
    },
    legend: { top: 0, data: readings.series.map((s) => s.metric) },
    grid: { left: 48, right: 16, top: 32, bottom: 28 },
    xAxis: { type: 'time', min: readings.start, max: readings.end },
    yAxis: { type: 'value', scale: true },
    series: readingSeries(readings),
  }
}
