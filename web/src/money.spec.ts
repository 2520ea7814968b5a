import { describe, expect, it } from 'vitest'

import { fromFen, sumAmounts, toFen } from './money'

describe('money', () => {
  it('adds amounts in fen, never through floats', () => {
    expect(sumAmounts(['0.10', '0.20'])).toBe('0.30')
    expect(sumAmounts(['409.58', '309.38', '195.91'])).toBe('914.87')
    expect(sumAmounts([])).toBe('0.00')
  })

  it('reads and writes amounts', () => {
    expect(toFen('12.5')).toBe(1250n)
    expect(toFen('-0.05')).toBe(-5n)
    expect(fromFen(-5n)).toBe('-0.05')
    expect(() => toFen('1.234')).toThrow()
  })

  it('adds amounts in fen, not floats', () => {
    expect(sumAmounts(['0.10', '0.20'])).toBe('0.30')
    expect(sumAmounts(['409.58', '12.5', '3'])).toBe('425.08')
    expect(sumAmounts([])).toBe('0.00')
  })
})
