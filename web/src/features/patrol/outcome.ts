/** What a checkpoint scan means for the guard holding the phone, in one of three clear kinds
 * (ok, wrong order, unknown) plus the hub's finer reasons (late, repeat, not due). */
import type { Schemas } from '@/api/types'

export type Round = Schemas['RoundOut']
export type Stop = Schemas['StopOut']
export type ScanResult = Schemas['ScanResultOut']
export type Scan = Schemas['ScanOut']

export type Verdict = 'ok' | 'wrong_order' | 'unknown' | 'late' | 'repeat' | 'stray'
export type Tone = 'success' | 'warning' | 'danger'

export interface Feedback {
  verdict: Verdict
  tone: Tone
  /** i18n key of the sentence under the verdict */
  key: string
  params: Record<string, string | number>
}

const TONES: Record<Verdict, Tone> = {
  ok: 'success',
  wrong_order: 'warning',
  unknown: 'danger',
  late: 'danger',
  repeat: 'warning',
  stray: 'warning',
}

function said(verdict: Verdict, key: string, params: Record<string, string | number>): Feedback {
  return { verdict, tone: TONES[verdict], key: `patrol.say.${key}`, params }
}

/** The feedback for a scan's answer; `result` null: the hub knows no checkpoint `code`. */
export function feedback(result: ScanResult | null, code: string): Feedback {
  if (!result) return said('unknown', 'unknown', { code })
  const name = result.checkpoint_name
  const expected = result.expected ? `${result.expected.seq}. ${result.expected.checkpoint_name}` : ''
  switch (result.outcome) {
    case 'in_window':
      return result.skipped.length
        ? said('wrong_order', 'skipped', { name, stops: result.skipped.join(', ') })
        : said('ok', 'ok', { name })
    case 'early':
      return said('wrong_order', expected ? 'early' : 'earlyNoRound', { name, expected })
    case 'late':
      return said('late', 'late', { name })
    case 'repeat':
      return said('repeat', 'repeat', { name })
    default:
      return said('stray', 'stray', { name })
  }
}

/** The stop counts a finished round's summary shows. */
export function summary(round: Round): { scanned: number; missed: number; late: number; total: number } {
  return { scanned: round.scanned, missed: round.missed, late: round.late, total: round.stops.length }
}

/** The newest of today's rounds that is over (a guard's summary after the round). */
export function lastFinished(rounds: Round[]): Round | null {
  return rounds.find((r) => r.status !== 'in_progress') ?? null
}

/** Local hour and minute of a time, as a guard reads a window ("02:10"). */
export function hhmm(iso: string | null | undefined, locale: string): string {
  if (!iso) return '—'
  return new Date(iso).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', hour12: false })
}

/** Vant tag type per stop status (the console maps the same statuses to Element Plus tags). */
export const STOP_TAG = { scanned: 'success', open: 'primary', upcoming: 'default', missed: 'danger' } as const
