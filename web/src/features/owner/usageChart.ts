/** The 12-month consumption chart's option: one bar series per meter of one home, each on its
 * own axis (kWh and m3 do not share a scale), sized for a 360 px phone. */
import type { EChartsCoreOption } from 'echarts/core'

import type { MeterUsage } from './data'

const COLOURS: Record<string, string> = { electricity: '#f59e0b', water: '#0ea5e9', gas: '#ef4444' }

export function usageOption(
  meters: MeterUsage[],
  label: (meter: MeterUsage) => string,
): EChartsCoreOption {
  const periods = meters[0]?.months.map((month) => month.period) ?? []
  return {
    animation: false,
    grid: { left: 8, right: 8, top: 36, bottom: 4, containLabel: true },
    legend: { top: 0, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } },
    tooltip: { trigger: 'axis', confine: true },
    xAxis: {
      type: 'category',
      data: periods.map((period) => period.slice(2).replace('-', '/')),
      axisLabel: { fontSize: 10, interval: 1 },
    },
    yAxis: meters.map((meter, index) => ({
      type: 'value',
      name: meter.unit,
      position: index === 0 ? 'left' : 'right',
      nameTextStyle: { fontSize: 10 },
      axisLabel: { fontSize: 10 },
      splitLine: { show: index === 0 },
    })),
    series: meters.map((meter, index) => ({
      type: 'bar',
      name: label(meter),
      yAxisIndex: index,
      barMaxWidth: 10,
      itemStyle: { color: COLOURS[meter.utility] ?? '#64748b' },
      data: meter.months.map((month) => (month.quantity === null ? null : Number(month.quantity))),
    })),
  }
}
