/** Dates as the admin console shows them (local time, zh-CN numbering). */
const date = new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit' })

export function formatDate(iso: string | null | undefined): string {
  return iso ? date.format(new Date(iso)) : '—'
}

