import { describe, expect, it } from 'vitest'

import { i18n } from '@/i18n'

import { apiError } from './errors'

describe('ApiError', () => {
  it('shows the translated message of the hub code', () => {
    i18n.global.locale.value = 'zh-CN'
    expect(apiError(403, { detail: 'wrong username or password', code: 'wrong_credentials' }).text).toBe(
      '用户名或密码错误',
    )
    i18n.global.locale.value = 'en'
    expect(apiError(404, { detail: 'bill 3 not found', code: 'not_found' }).text).toBe(
      'Not found, or not yours to see',
    )
    i18n.global.locale.value = 'zh-CN'
  })

  it("falls back to the hub's own words for a code the app does not know", () => {
    expect(apiError(409, { detail: 'meter M1 is retired', code: 'meter_retired_xyz' }).text).toBe(
      'meter M1 is retired',
    )
    expect(apiError(502, null).code).toBe('http_502')
  })
})
