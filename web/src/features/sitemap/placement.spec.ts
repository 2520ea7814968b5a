import { describe, expect, it } from 'vitest'

import { fractionOn, planLabel } from './placement'

describe('placement on a plan', () => {
  const box = { left: 100, top: 50, width: 400, height: 200 }

  it('turns a screen point into fractions of the plan', () => {
    expect(fractionOn(box, 300, 100)).toEqual({ x: 0.5, y: 0.25 })
  })

  it('keeps a drop just outside the plan on its edge', () => {
    expect(fractionOn(box, 90, 400)).toEqual({ x: 0, y: 1 })
  })

  it('labels floor plans by building and floor', () => {
    const name = () => '1号楼'
    expect(planLabel({ name: '总平面图', building_id: null, floor: '' }, name)).toBe('总平面图')
    expect(planLabel({ name: 'x', building_id: 3, floor: '1F' }, name)).toBe('1号楼 · 1F')
  })
})
