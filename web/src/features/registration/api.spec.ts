import { describe, expect, it } from 'vitest'

import { blankChange, changeBody } from './api'

describe('changeBody', () => {
  it('sends a sale to a verified registration without the other kinds’ fields', () => {
    const form = { ...blankChange(), registration_id: 7, new_owner_username: 'typed before', tenant_name: 'x', moved_on: '2026-11-10' }
    expect(changeBody(form)).toMatchObject({ kind: 'sale', registration_id: 7, new_owner_username: null, tenant_name: null, moved_on: null })
  })

  it('sends a tenant moving in with the day, and the told-at time in UTC', () => {
    const form = { ...blankChange(), kind: 'tenant_in' as const, tenant_name: ' 钱进 ', moved_on: '2026-11-10', notified_at: '2026-11-10T08:00:00+08:00' }
    expect(changeBody(form)).toMatchObject({ tenant_name: '钱进', moved_on: '2026-11-10', notified_at: '2026-11-10T00:00:00.000Z', registration_id: null })
  })
})
