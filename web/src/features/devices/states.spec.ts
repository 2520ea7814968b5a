import { describe, expect, it } from 'vitest'

import { lastValuesText, STATE_COLORS, STATES } from './states'

describe('device states', () => {
  it('gives every state its own colour', () => {
    expect(new Set(STATES.map((s) => STATE_COLORS[s])).size).toBe(STATES.length)
  })

  it('writes the last values in one line, cut after a few', () => {
    const values = ['a', 'b', 'c', 'd'].map((metric, n) => ({
      metric,
      value: String(n),
      text: null,
      ts: '2026-11-10T02:00:00Z',
    }))
    expect(lastValuesText({ last_values: values })).toBe('a 0 · b 1 · c 2 · …')
    const text = { metric: 'a', value: null, text: 'open', ts: '2026-11-10T02:00:00Z' }
    expect(lastValuesText({ last_values: [text] })).toBe(
      'a open',
    )
  })
})
