import { describe, expect, it } from 'vitest'

import { expiry } from './assets'

describe('expiry', () => {
  it('flags expired, soon and valid documents', () => {
    expect(expiry(null)).toBe('none')
    expect(expiry(-1)).toBe('expired')
    expect(expiry(0)).toBe('soon')
    expect(expiry(30)).toBe('soon')
    expect(expiry(31)).toBe('valid')
  })
})
