/** The health page's verdict per part: fine, a warning, a fault, or not known. */
import type { Schemas } from '@/api/types'

export type Status = Schemas['StatusOut']
export type Verdict = 'ok' | 'warn' | 'fault' | 'unknown'

const QUEUE_WARN_S = 60 // something waiting longer than a minute is worth a look

export function brokerVerdict(status: Status): Verdict {
  return { connected: 'ok', disconnected: 'fault', unknown: 'unknown' }[status.broker] as Verdict
}

export function workersVerdict(status: Status): Verdict {
  if (!status.workers.length) return 'unknown'
  return status.workers.every((w) => w.alive) ? 'ok' : 'fault'
}

export function backlogVerdict(backlog: Schemas['BacklogOut']): Verdict {
  if (backlog.oldest_age_s === null) return 'ok'
  return backlog.oldest_age_s > QUEUE_WARN_S ? 'warn' : 'ok'
}

export function deadLetterVerdict(status: Status): Verdict {
  return status.dead_letters_24h > 0 ? 'warn' : 'ok'
}

/** "12 s", "3 min", "2 h": how long something has waited. */
export function age(seconds: number | null): string {
  if (seconds === null) return '—'
  if (seconds < 90) return `${Math.round(seconds)} s`
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`
  return `${Math.round(seconds / 3600)} h`
}
