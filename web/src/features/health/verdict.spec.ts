import { describe, expect, it } from 'vitest'

import { age, backlogVerdict, brokerVerdict, type Status, workersVerdict } from './verdict'

const base = {
  broker: 'unknown',
  workers: [],
  outbox: { pending: 0, oldest_age_s: null },
} as unknown as Status

describe('health verdicts', () => {
  it('says unknown when no worker reports, not fine', () => {
    expect(brokerVerdict(base)).toBe('unknown')
    expect(workersVerdict(base)).toBe('unknown')
  })

  it('faults a disconnected broker and a silent worker', () => {
    expect(brokerVerdict({ ...base, broker: 'disconnected' })).toBe('fault')
    const workers = [{ alive: true }, { alive: false }] as Status['workers']
    expect(workersVerdict({ ...base, workers })).toBe('fault')
  })

  it('warns when the oldest queued item waited over a minute', () => {
    expect(backlogVerdict({ pending: 2, oldest_age_s: 61 })).toBe('warn')
    expect(backlogVerdict({ pending: 0, oldest_age_s: null })).toBe('ok')
    expect(age(45)).toBe('45 s')
    expect(age(600)).toBe('10 min')
  })
})
