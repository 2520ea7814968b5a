import { describe, expect, it } from 'vitest'

import { type Answer, firstMissing, limitsText, outsideLimits, resultsOf, shownState, type TaskItem } from './maintenance'

const item = (over: Partial<TaskItem>): TaskItem => ({
  position: 1,
  label: 'x',
  kind: 'pass_fail',
  unit: '',
  min: null,
  max: null,
  photo_required: false,
  passed: null,
  value: null,
  note: '',
  has_photo: false,
  work_order_id: null,
  checked_at: null,
  ...over,
})

describe('maintenance tasks', () => {
  it('tells overdue and done late apart from the status', () => {
    expect(shownState({ status: 'scheduled', overdue: true, done_late: false })).toBe('overdue')
    expect(shownState({ status: 'done', overdue: false, done_late: true })).toBe('done_late')
    expect(shownState({ status: 'in_progress', overdue: false, done_late: false })).toBe('in_progress')
  })

  it('shows limits with their unit and warns outside them', () => {
    const gap = item({ kind: 'measure', min: '0.2', max: '0.7', unit: 'mm' })
    expect(limitsText(gap)).toBe('0.2 – 0.7 mm')
    expect(limitsText(item({ kind: 'measure', min: '24', unit: 'V' }))).toBe('≥ 24 V')
    expect(limitsText(item({}))).toBe('')
    expect(outsideLimits(gap, '0.9')).toBe(true)
    expect(outsideLimits(gap, '0.5')).toBe(false)
    expect(outsideLimits(gap, '')).toBe(false)
  })

  it('makes results from the answers and finds what is missing', () => {
    const items = [item({ position: 1 }), item({ position: 2, kind: 'measure', photo_required: true })]
    const answers: Record<number, Answer> = { 1: { passed: true, value: '', note: '' }, 2: { passed: null, value: ' 0.5 ', note: 'ok' } }
    expect(resultsOf(items, answers)).toEqual([
      { position: 1, passed: true, note: '' },
      { position: 2, value: '0.5', note: 'ok' },
    ])
    expect(firstMissing(items, answers)?.position).toBe(2) // no photo yet
    expect(firstMissing(items.slice(0, 1), answers)).toBeNull()
  })
})
