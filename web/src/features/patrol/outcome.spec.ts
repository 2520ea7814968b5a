import { describe, expect, it } from 'vitest'

import { feedback, lastFinished, type Round, type ScanResult, type Stop } from './outcome'

function stop(seq: number, name: string): Stop {
  return {
    id: seq,
    seq,
    checkpoint_code: `CP-${seq}`,
    checkpoint_name: name,
    due_from: '2026-11-10T02:00:00Z',
    due_until: '2026-11-10T02:10:00Z',
    scanned_at: null,
    late_scan_at: null,
    status: 'open',
  }
}

function result(outcome: ScanResult['outcome'], extra: Partial<ScanResult> = {}): ScanResult {
  return {
    id: 1,
    checkpoint_code: 'CP-2',
    checkpoint_name: '大堂',
    scanned_at: '2026-11-10T02:05:00Z',
    source: 'phone_code',
    guard: 'guard',
    device_id: null,
    in_window: outcome === 'in_window',
    stop_id: null,
    round_id: null,
    seq: null,
    outcome,
    message: '',
    skipped: [],
    expected: null,
    ...extra,
  }
}

describe('scan feedback', () => {
  it('says ok for a stop in its window and in order', () => {
    expect(feedback(result('in_window'), 'CP-2')).toMatchObject({ verdict: 'ok', tone: 'success' })
  })

  it('says wrong order when earlier stops were skipped or the stop is not due yet', () => {
    const skipped = feedback(result('in_window', { skipped: [1, 2] }), 'CP-3')
    expect(skipped).toMatchObject({ verdict: 'wrong_order', params: { stops: '1, 2' } })
    const early = feedback(result('early', { expected: stop(1, '北门') }), 'CP-2')
    expect(early).toMatchObject({ verdict: 'wrong_order', key: 'patrol.say.early', params: { expected: '1. 北门' } })
  })

  it('says unknown for a code the hub does not know', () => {
    expect(feedback(null, 'CP-X')).toMatchObject({ verdict: 'unknown', tone: 'danger', params: { code: 'CP-X' } })
  })

  it('finds the newest finished round for the summary', () => {
    const round = (id: number, status: Round['status']) => ({ id, status }) as Round
    expect(lastFinished([round(3, 'in_progress'), round(2, 'ended'), round(1, 'completed')])?.id).toBe(2)
    expect(lastFinished([round(3, 'in_progress')])).toBeNull()
  })
})
