/** A bill as the counter-payment dialog needs it (from the bills table or the arrears list). */
export interface Payable {
  id: number
  home: string
  period: string
  amount: string
}
