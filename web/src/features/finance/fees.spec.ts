import { describe, expect, it } from 'vitest'

import { daysText } from './fees'

describe('daysText', () => {
  it('names the first and last day billed, open-ended when there is no last', () => {
    expect(daysText('2026-11-16', null, 'open')).toBe('2026-11-16 – open')
    expect(daysText('2026-11-16', '2027-06-30', 'open')).toBe('2026-11-16 – 2027-06-30')
    expect(daysText(undefined, '2027-06-30', 'open')).toBe('… – 2027-06-30')
    expect(daysText(null, null, 'open')).toBe('open')
  })
})
