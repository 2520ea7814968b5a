import { describe, expect, it } from 'vitest'

import {
  compareAlarms,
  emptyFilter,
  matches,
  needsSound,
  places,
  unacknowledged,
  upsert,
} from './alarmList'
import { alarm } from './testAlarm'

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
