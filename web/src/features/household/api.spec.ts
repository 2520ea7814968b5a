import { describe, expect, it } from 'vitest'

import { blankMember, memberBody } from './api'

describe('memberBody', () => {
  it('sends empty fields as left out and trims the rest', () => {
    const form = { ...blankMember(), name: '  刘洋 ', relation: ' 配偶 ', phone: ' ' }
    expect(memberBody(form)).toEqual({
      kind: 'family',
      name: '刘洋',
      relation: '配偶',
      phone: null,
      moved_in_on: null,
      moved_out_on: null,
    })
  })

  it('keeps a tenant\'s dates', () => {
    const form = { ...blankMember(), kind: 'tenant' as const, name: 'x', moved_in_on: '2026-03-01' }
    expect(memberBody(form)).toMatchObject({ kind: 'tenant', moved_in_on: '2026-03-01', moved_out_on: null })
  })
})
