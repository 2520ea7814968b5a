/** Preventive maintenance (保养计划) logic kept out of the pages so it can be tested: a task's
 * state as people read it (overdue, done late), a measured item's limits, and the results a
 * technician's answers make. */
import type { Schemas } from '@/api/types'

export type Task = Schemas['TaskOut']
export type TaskDetail = Schemas['TaskDetail']
export type TaskItem = Schemas['TaskItemOut']
export type Plan = Schemas['MaintenancePlanOut']
export type ItemResult = Schemas['ItemResultIn']

/** What a task's row shows: its state, with overdue and done late told apart. */
export type Shown = 'scheduled' | 'in_progress' | 'done' | 'cancelled' | 'overdue' | 'done_late'

export function shownState(task: Pick<Task, 'status' | 'overdue' | 'done_late'>): Shown {
  if (task.overdue) return 'overdue'
  if (task.done_late) return 'done_late'
  return task.status
}

export const SHOWN_TAGS: Record<Shown, 'primary' | 'success' | 'warning' | 'danger' | 'info'> = {
  scheduled: 'info',
  in_progress: 'primary',
  done: 'success',
  done_late: 'warning',
  overdue: 'danger',
  cancelled: 'info',
}

/** "0.2 – 0.7 mm", "≥ 24 V", "≤ 10 mm" or "" for an item without limits. */
export function limitsText(item: Pick<TaskItem, 'min' | 'max' | 'unit'>): string {
  const unit = item.unit ? ` ${item.unit}` : ''
  if (item.min != null && item.max != null) return `${item.min} – ${item.max}${unit}`
  if (item.min != null) return `≥ ${item.min}${unit}`
  if (item.max != null) return `≤ ${item.max}${unit}`
  return ''
}

/** Whether a typed value is outside the item's limits (the hub decides; the page warns). */
export function outsideLimits(item: Pick<TaskItem, 'min' | 'max'>, value: string): boolean {
  if (value.trim() === '' || Number.isNaN(Number(value))) return false
  const n = Number(value)
  return (item.min != null && n < Number(item.min)) || (item.max != null && n > Number(item.max))
}

/** An answer on the phone: pass/fail, or the typed value, and a note. */
export interface Answer {
  passed: boolean | null
  value: string
  note: string
}

export function resultsOf(items: TaskItem[], answers: Record<number, Answer>): ItemResult[] {
  return items.map((item) => {
    const a = answers[item.position] ?? { passed: null, value: '', note: '' }
    return item.kind === 'measure'
      ? { position: item.position, value: a.value.trim() === '' ? null : a.value.trim(), note: a.note }
      : { position: item.position, passed: a.passed, note: a.note }
  })
}

/** The first item still unanswered or missing its photo, or null when the task can be done. */
export function firstMissing(items: TaskItem[], answers: Record<number, Answer>): TaskItem | null {
  for (const item of items) {
    const a = answers[item.position]
    const answered = item.kind === 'measure' ? !!a?.value.trim() : a?.passed != null
    if (!answered || (item.photo_required && !item.has_photo)) return item
  }
  return null
}
