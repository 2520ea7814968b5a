import { describe, expect, it } from 'vitest'

import { offsetOf } from './textPosition'

describe('offsetOf', () => {
  const text = 'rules:\n  - id: leak\n    metrc: x\n'

  it('finds a line and column', () => {
    expect(offsetOf(text, 1, 1)).toBe(0)
    expect(text.slice(offsetOf(text, 3, 5))).toBe('metrc: x\n')
  })

  it('stays inside the text', () => {
    expect(offsetOf(text, 99, 1)).toBe(text.length)
    expect(offsetOf(text, 2, 99)).toBe('rules:\n  - id: leak'.length)
  })
})
