import { describe, expect, it } from 'vitest'

import { badAmount, editable, gridOf, gridTotal, rowTotal, spread } from './budgets'

describe('a budget grid', () => {
  it('spreads a yearly amount to the fen, the leftover fen in the first months', () => {
    const months = spread('1000.00')
    expect(months).toEqual([...Array(4).fill('83.34'), ...Array(8).fill('83.33')])
    expect(rowTotal({ category: 'repairs', months })).toBe('1000.00')
    expect(spread('0')).toEqual(Array(12).fill('0.00'))
  })

  it('adds rows in fen and finds what is not an amount', () => {
    const rows = [
      { category: 'labour' as const, months: Array(12).fill('0.10') },
      { category: 'repairs' as const, months: Array(12).fill('0.20') },
    ]
    expect(gridTotal(rows)).toBe('3.60')
    expect(badAmount(rows)).toBeNull()
    rows[1]!.months[3] = '1.234'
    expect(badAmount(rows)).toBe('1.234')
  })

  it('orders lines income first and knows which steps allow editing', () => {
    const lines = [
      { category: 'repairs' as const, months: Array(12).fill('1.00'), total: '12.00' },
      { category: 'property_fee' as const, months: Array(12).fill('2.00'), total: '24.00' },
    ]
    expect(gridOf(lines).map((r) => r.category)).toEqual(['property_fee', 'repairs'])
    expect([editable('draft'), editable('returned'), editable('submitted'), editable('approved')]).toEqual([
      true,
      true,
      false,
      false,
    ])
  })
})
