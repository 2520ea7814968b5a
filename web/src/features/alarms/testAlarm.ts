/** One alarm for the specs, with `over` changed. */
import type { Alarm } from './alarmList'

export function alarm(over: Partial<Alarm>): Alarm {
  return {
    id: 1,
    site_id: 1,
    site_name: '绿园小区 Green Garden',
    rule_id: 'leak',
    severity: 'critical',
    title: '漏水 Water leak',
    reason: 'wet',
    location: '1号楼101厨房 B1-101 kitchen',
    device_id: 7,
    device_name: '厨房漏水传感器 Kitchen leak sensor',
    device_kind: 'leak_sensor',
    building_id: 2,
    building_name: '1号楼 Building 1',
    state: 'active_unacknowledged',
    unacknowledged: true,
    raised_at: '2026-11-10T02:00:00Z',
    last_seen_at: '2026-11-10T02:00:00Z',
    occurrences: 1,
    reading_id: null,
    work_order_id: null,
    acknowledged_at: null,
    acknowledged_by_id: null,
    acknowledged_by: null,
    cleared_at: null,
    cleared_by_id: null,
    cleared_by: null,
    flapping: false,
    flap_count: 0,
    suppressed_by_id: null,
    ...over,
  }
}
