import { describe, expect, it } from 'vitest'

import { type Complaint, deadlineState, nextDeadline, overdue } from './complaints'

const due = '2026-12-03T10:00:00Z'
const now = Date.parse('2026-12-03T09:30:00Z')
const later = Date.parse('2026-12-03T10:00:01Z')

function complaint(part: Partial<Complaint>): Complaint {
  return {
    status: 'recorded',
    review: { due, done_at: null, breached: false },
    contact_owner: { due: '2026-12-04T09:00:00Z', done_at: null, breached: false },
    ...part,
  } as Complaint
}

describe('deadlineState', () => {
  it('runs until due, then is overdue even before the hub says so', () => {
    expect(deadlineState({ due, done_at: null, breached: false }, now)).toBe('running')
    expect(deadlineState({ due, done_at: null, breached: false }, later)).toBe('overdue')
  })
  it('is met or late once done, as the hub measured it', () => {
    expect(deadlineState({ due, done_at: '2026-12-03T09:59:00Z', breached: false }, later)).toBe('met')
    expect(deadlineState({ due, done_at: '2026-12-03T10:05:00Z', breached: true }, later)).toBe('late')
  })
})

describe('the queue', () => {
  it('marks a complaint overdue while a running limit is past due, not once it is done', () => {
    expect(overdue(complaint({}), now)).toBe(false)
    expect(overdue(complaint({}), later)).toBe(true)
    const lateReview = { due, done_at: '2026-12-03T10:05:00Z', breached: true }
    expect(overdue(complaint({ status: 'assigned', review: lateReview }), later)).toBe(false)
    expect(overdue(complaint({ status: 'out_of_scope' }), later)).toBe(false)
  })
  it('names the next running deadline: review, then contact, then none', () => {
    expect(nextDeadline(complaint({}))?.step).toBe('review')
    const reviewed = { due, done_at: '2026-12-03T09:00:00Z', breached: false }
    expect(nextDeadline(complaint({ status: 'assigned', review: reviewed }))?.step).toBe('contact')
    expect(nextDeadline(complaint({ status: 'out_of_scope' }))).toBeNull()
  })
})
