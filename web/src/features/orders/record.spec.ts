import { describe, expect, it } from 'vitest'

import { partCost, partsIn, totalCost } from './record'

describe('the maintenance record cost preview', () => {
  it('rounds each line half up to the fen, as the hub does', () => {
    expect(partCost({ quantity: '2', unit_price: '12.35' })).toBe('24.70')
    expect(partCost({ quantity: '1.5', unit_price: '3.33' })).toBe('5.00') // 4.995
    expect(partCost({ quantity: '0.333', unit_price: '1' })).toBe('0.33')
    expect(partCost({ quantity: '3', unit_price: '0.33' })).toBe('0.99')
  })

  it('adds the other cost and waits for valid numbers', () => {
    const parts = [
      { name: '轴承', quantity: '2', unit_price: '12.35' },
      { name: '密封胶', quantity: '1.5', unit_price: '3.33' },
    ]
    expect(totalCost(parts, '30')).toBe('59.70')
    expect(totalCost([], '')).toBe('0.00')
    expect(totalCost([{ name: 'x', quantity: '1.2345', unit_price: '1' }], '0')).toBeNull()
    expect(totalCost(parts, '-1')).toBeNull()
  })

  it('sends only named part lines', () => {
    expect(partsIn([{ name: ' 轴承 ', quantity: '2', unit_price: '12.35' }, { name: '', quantity: '1', unit_price: '0' }])).toEqual([
      { name: '轴承', quantity: '2', unit_price: '12.35' },
    ])
  })
})
