/** Money as the hub sends it (strings with two decimals, "409.58"), added in whole fen so no
 * amount ever passes through a float: the finance console and the owner's pages alike. */

/** "409.58" -> 40958n; "-1.5" -> -150n. */
export function toFen(amount: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim())
  if (!match) throw new Error(`not an amount: ${amount}`)
  const [, sign, whole, part = ''] = match
  const fen = BigInt(whole!) * 100n + BigInt(part.padEnd(2, '0'))
  return sign ? -fen : fen
}

/** 40958n -> "409.58" */
export function fromFen(fen: bigint): string {
  const sign = fen < 0n ? '-' : ''
  const abs = fen < 0n ? -fen : fen
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`
}

export function sumAmounts(amounts: string[]): string {
  return fromFen(amounts.reduce((total, amount) => total + toFen(amount), 0n))
}
