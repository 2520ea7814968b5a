import { describe, expect, it } from 'vitest'

import { defaultProvider, kindTag, reviewOrder, thisMonth, type ReconItem } from './reconciliation'

function item(kind: ReconItem['kind'], noted = false): ReconItem {
  return {
    kind,
    key: `${kind}:${noted}`,
    line: 3,
    transaction_id: 'SBX1',
    out_trade_no: 'EH1',
    refund_no: '',
    statement_amount: '1.00',
    our_amount: '1.00',
    bill_id: 1,
    bill: 'B1/101 2026-10',
    at: '2026-11-10T02:00:00Z',
    note: noted ? { text: 'ok', by: 'Finance', at: '2026-11-10T03:00:00Z' } : null,
  }
}

describe('reconciliation', () => {
  it('puts the differences still to note first, matched lines last', () => {
    const order = reviewOrder([item('matched'), item('refund', true), item('missing_ours')])
    expect(order.map((i) => i.kind)).toEqual(['missing_ours', 'refund', 'matched'])
  })

  it('colours money missing on either side red and matches green', () => {
    expect(kindTag('missing_provider')).toBe('danger')
    expect(kindTag('matched')).toBe('success')
  })

  it('starts on the provider owners pay through, the sandbox otherwise', () => {
    expect(defaultProvider('alipay')).toBe('alipay')
    expect(defaultProvider('paypal')).toBe('sandbox')
    expect(thisMonth(new Date(2026, 10, 10))).toBe('2026-11')
  })
})
