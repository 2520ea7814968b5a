/** A home to collect from at the counter (from a bill row or the arrears list), and the amount
 * to suggest: what is outstanding on the bill the clerk started from. */
export interface Payable {
  home_id: number
  home: string
  amount: string
  bill?: { id: number; period: string } // the bill it started from: the receipt number's hint
}

/** A bill with something outstanding (欠费): not paid whole, not credited (冲销). */
export function owing(status: string): boolean {
  return status === 'unpaid' || status === 'partly_paid'
}
