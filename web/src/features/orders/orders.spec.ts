import { describe, expect, it } from 'vitest'

import { columns, formatSpan, overdueInWork, runningClocks, slaOf, type SlaClock, type WorkOrder } from './orders'

const created = Date.parse('2026-12-03T02:00:00Z')
const acceptBy = '2026-12-03T02:30:00Z'
const min = 60_000

function order(id: number, extra: Partial<WorkOrder> = {}): WorkOrder {
  return {
    id,
    number: `GD20261203-${id}`,
    title: `order ${id}`,
    location: 'B1/101',
    home: 'B1/101',
    device: null,
    assignee: null,
    status: 'submitted',
    priority: 'normal',
    accept_by: acceptBy,
    accepted_at: null,
    ...extra,
  } as WorkOrder
}

describe('the 30-minute acceptance clock', () => {
  it('counts down, warns in the last 10 minutes, then counts the time over', () => {
    expect(slaOf(order(1), created)).toEqual({ state: 'running', ms: 30 * min })
    expect(slaOf(order(1), created + 21 * min).state).toBe('warning')
    expect(slaOf(order(1), created + 35 * min)).toEqual({ state: 'overdue', ms: 5 * min })
  })
  it('stops once accepted: on time or late by how much', () => {
    expect(slaOf(order(1, { accepted_at: '2026-12-03T02:10:00Z' }), created + 99 * min).state).toBe('met')
    expect(slaOf(order(1, { accepted_at: '2026-12-03T02:32:00Z' }), created)).toEqual({ state: 'late', ms: 2 * min })
  })
  it('reads as minutes:seconds, hours past an hour', () => {
    expect(formatSpan(5 * min + 7_000)).toBe('05:07')
    expect(formatSpan(62 * min)).toBe('1:02:00')
  })
})

describe('the board', () => {
  it('puts open orders in their column, urgent first, and filters by text and priority', () => {
    const list = [
      order(1),
      order(2, { priority: 'urgent' }),
      order(3, { status: 'assigned', assignee: { id: 9, username: 'tech', name: '维修工' } }),
      order(4, { status: 'completed' }),
    ]
    const all = columns(list, { text: '', priority: '' })
    expect(all.submitted.map((o) => o.id)).toEqual([2, 1])
    expect(all.assigned.map((o) => o.id)).toEqual([3])
    expect(Object.values(all).flat().map((o) => o.id)).not.toContain(4)
    expect(columns(list, { text: '维修', priority: '' }).assigned.map((o) => o.id)).toEqual([3])
    expect(columns(list, { text: '', priority: 'urgent' }).submitted.map((o) => o.id)).toEqual([2])
  })
})

describe('the SLA clocks still running', () => {
  const clock = (name: SlaClock['name'], extra: Partial<SlaClock> = {}): SlaClock => ({
    name,
    limit_minutes: 30,
    started_at: '2026-12-03T02:00:00Z',
    due_at: '2026-12-03T02:30:00Z',
    met_at: null,
    breached: false,
    paused: false,
    left_seconds: null,
    escalation_level: 0,
    ...extra,
  })
  const assigned = (clocks: SlaClock[]) => order(1, { status: 'assigned', clocks })

  it('lists started, unmet clocks, the one over first, with its escalation level', () => {
    const clocks = [
      clock('accept', { met_at: '2026-12-03T02:10:00Z' }),
      clock('contact', { due_at: '2026-12-03T02:20:00Z', escalation_level: 1 }),
      clock('arrive', { due_at: '2026-12-03T04:00:00Z' }),
      clock('complete', { started_at: null, due_at: null }),
    ]
    expect(runningClocks(assigned(clocks), created + 25 * min)).toEqual([
      { name: 'contact', state: 'overdue', ms: 5 * min, level: 1 },
      { name: 'arrive', state: 'running', ms: 95 * min, level: 0 },
    ])
  })
  it('shows a paused clock with the time it had left, and nothing on a closed order', () => {
    const paused = [clock('contact', { paused: true, due_at: null, left_seconds: 20 * 60 })]
    expect(runningClocks(assigned(paused), created + 999 * min)).toEqual([
      { name: 'contact', state: 'paused', ms: 20 * min, level: 0 },
    ])
    expect(runningClocks(order(2, { status: 'completed', clocks: [clock('complete')] }), created)).toEqual([])
  })
  it('puts dispatched orders with a clock over on the desk, longest over first', () => {
    const late = (id: number, due: string) => order(id, { status: 'in_progress', clocks: [clock('arrive', { due_at: due })] })
    const list = [late(1, '2026-12-03T02:20:00Z'), late(2, '2026-12-03T02:10:00Z'), late(3, '2026-12-03T09:00:00Z'), order(4)]
    expect(overdueInWork(list, created + 30 * min).map((o) => o.id)).toEqual([2, 1])
  })
})
