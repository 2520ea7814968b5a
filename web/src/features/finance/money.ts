/** The dates and ages finance reads (the amounts: src/money.ts). */

/** Whole days from `iso` to `now` (0 on the day itself). */
export function ageDays(iso: string, now: Date = new Date()): number {
  return Math.max(0, Math.floor((now.getTime() - new Date(iso).getTime()) / 86_400_000))
}

/** The month before `now`'s, "YYYY-MM": the one a billing run usually bills. */
export function lastMonth(now: Date = new Date()): string {
  const month = new Date(now.getFullYear(), now.getMonth() - 1, 1)
  return `${month.getFullYear()}-${String(month.getMonth() + 1).padStart(2, '0')}`
}

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
})

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '—'
}
