/** Times as the control room reads them: local date and time, 24 h, to the second. */
const full = new Intl.DateTimeFormat('zh-CN', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
})
const clock = new Intl.DateTimeFormat('zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false })

export function formatTime(iso: string | null | undefined): string {
  return iso ? full.format(new Date(iso)) : '—'
}

export function formatClock(epochMs: number): string {
  return clock.format(new Date(epochMs))
}

export const SEVERITY_TAG = {
  critical: 'danger',
  major: 'warning',
  minor: 'primary',
  warning: 'info',
} as const
