import { describe, expect, it } from 'vitest'

import {
  type Alarm,
  compareAlarms,
  emptyFilter,
  matches,
  needsSound,
  places,
  unacknowledged,
  upsert,
} from './alarmList'

function alarm(over: Partial<Alarm>): Alarm {
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

describe('the alarm list', () => {
  it('keeps a cleared alarm nobody acknowledged in the open view, and drops it once closed', () => {
    const cleared = alarm({ state: 'cleared_unacknowledged' })
    const open = emptyFilter()
    expect(matches(cleared, open)).toBe(true)
    const list = upsert([], [cleared], open)
    expect(list).toHaveLength(1)
    const closed = alarm({ state: 'cleared_acknowledged', unacknowledged: false })
    expect(upsert(list, [closed], open)).toEqual([])
    expect(upsert(list, [closed], { ...open, view: 'closed' })).toEqual([closed])
  })

  it('sorts worst first, then newest first', () => {
    const minor = alarm({ id: 1, severity: 'minor', raised_at: '2026-11-10T03:00:00Z' })
    const oldCritical = alarm({ id: 2, raised_at: '2026-11-10T01:00:00Z' })
    const newCritical = alarm({ id: 3, raised_at: '2026-11-10T02:00:00Z' })
    const major = alarm({ id: 4, severity: 'major' })
    const sorted = [minor, oldCritical, major, newCritical].sort(compareAlarms)
    expect(sorted.map((a) => a.id)).toEqual([3, 2, 4, 1])
  })

  it('filters by place, severity, kind and text like the hub', () => {
    const leak = alarm({})
    const base = emptyFilter()
    expect(matches(leak, { ...base, buildingId: 3 })).toBe(false)
    expect(matches(leak, { ...base, severities: ['major'] })).toBe(false)
    expect(matches(leak, { ...base, deviceKinds: ['pump'] })).toBe(false)
    expect(matches(leak, { ...base, text: 'KITCHEN' })).toBe(true)
    expect(matches(leak, { ...base, text: '泵' })).toBe(false)
    expect(matches(alarm({ suppressed_by_id: 9 }), base)).toBe(false)
  })

  it('counts the unacknowledged and sounds only for loud ones', () => {
    const warning = alarm({ id: 1, severity: 'warning' })
    const acked = alarm({ id: 2, state: 'active_acknowledged', unacknowledged: false })
    expect(unacknowledged([warning, acked])).toEqual([warning])
    expect(needsSound([warning, acked])).toBe(false)
    expect(needsSound([alarm({ id: 3, severity: 'major' })])).toBe(true)
  })

  it('learns the estates and buildings it has seen, for the filters', () => {
    const seen = places([alarm({}), alarm({ id: 2, building_id: null, building_name: null })], {
      sites: [],
      buildings: [{ id: 5, name: '2号楼 Building 2' }],
    })
    expect(seen.sites).toEqual([{ id: 1, name: '绿园小区 Green Garden' }])
    expect(seen.buildings.map((b) => b.id)).toEqual([2, 5])
  })
})
