import { describe, expect, it } from 'vitest'

import { ageDays, lastMonth } from './money'

describe('money', () => {
  it('counts the age of a bill in whole days', () => {
    const now = new Date('2026-12-10T02:00:00Z')
    expect(ageDays('2026-11-10T02:00:00Z', now)).toBe(30)
    expect(ageDays('2026-12-10T01:00:00Z', now)).toBe(0)
  })

  it('bills last month by default', () => {
    expect(lastMonth(new Date(2026, 0, 15))).toBe('2025-12')
    expect(lastMonth(new Date(2026, 10, 10))).toBe('2026-10')
  })
})
