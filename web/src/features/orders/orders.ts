/**
 * Work-order logic kept out of the pages so it can be tested: the SLA clocks (rules/sla.yaml:
 * accept, contact the owner, arrive, complete), the board's columns and its filter.
 */
import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

import type { Schemas } from '@/api/types'
import { onLive } from '@/live/feed'

export type WorkOrder = Schemas['WorkOrderOut']
export type WorkOrderDetail = Schemas['WorkOrderDetailOut']
export type Candidate = Schemas['CandidateOut']
export type Status = Schemas['WorkOrderStatus']
export type Priority = Schemas['Priority']
export type SlaClock = Schemas['SlaClockOut']
export type ClockName = Schemas['ClockName']

export const BOARD_COLUMNS: Status[] = ['submitted', 'accepted', 'assigned', 'in_progress']
export const PRIORITIES: Priority[] = ['urgent', 'high', 'normal', 'low']
export const CATEGORIES = ['plumbing', 'electrical', 'doors', 'elevator', 'public_area', 'fault', 'other']
const WARN_MS = 10 * 60_000

/** Where an order stands against its acceptance deadline at `now` (epoch ms). */
export interface Sla {
  state: 'running' | 'warning' | 'overdue' | 'met' | 'late'
  /** ms left (running, warning) or over (overdue, late) */
  ms: number
}

export function slaOf(order: Pick<WorkOrder, 'accept_by' | 'accepted_at'>, now: number): Sla {
  const due = Date.parse(order.accept_by)
  if (order.accepted_at) {
    const late = Date.parse(order.accepted_at) - due
    return late > 0 ? { state: 'late', ms: late } : { state: 'met', ms: 0 }
  }
  const left = due - now
  if (left < 0) return { state: 'overdue', ms: -left }
  return { state: left <= WARN_MS ? 'warning' : 'running', ms: left }
}

/** A clock still running on an open order, at `now`. */
export interface RunningClock {
  name: ClockName
  state: 'running' | 'warning' | 'overdue' | 'paused'
  /** ms left (running, warning, paused) or over (overdue) */
  ms: number
  /** escalation steps fired: 1 supervisors, 2 manager */
  level: number
}

const OPEN: Status[] = BOARD_COLUMNS

/** Every clock of an open order that has started and is not met yet, soonest due first. */
export function runningClocks(order: Pick<WorkOrder, 'clocks' | 'status'>, now: number): RunningClock[] {
  if (!OPEN.includes(order.status)) return []
  const running = order.clocks.filter((c) => c.started_at && !c.met_at)
  return running
    .map((c): RunningClock => {
      const level = c.escalation_level
      if (c.paused || !c.due_at) {
        const left = (c.left_seconds ?? 0) * 1000
        return left < 0 ? { name: c.name, state: 'overdue', ms: -left, level } : { name: c.name, state: 'paused', ms: left, level }
      }
      const left = Date.parse(c.due_at) - now
      if (left < 0) return { name: c.name, state: 'overdue', ms: -left, level }
      return { name: c.name, state: left <= WARN_MS ? 'warning' : 'running', ms: left, level }
    })
    .sort((a, b) => rankOf(a) - rankOf(b))
}

/** Dispatched orders (assigned, in progress) with a clock over, the longest over first. */
export function overdueInWork(orders: WorkOrder[], now: number): WorkOrder[] {
  const over = (o: WorkOrder) => Math.max(0, ...runningClocks(o, now).filter((c) => c.state === 'overdue').map((c) => c.ms))
  return orders.filter((o) => (o.status === 'assigned' || o.status === 'in_progress') && over(o) > 0).sort((a, b) => over(b) - over(a))
}

function rankOf(clock: RunningClock): number {
  if (clock.state === 'paused') return Number.MAX_SAFE_INTEGER
  return clock.state === 'overdue' ? -clock.ms : clock.ms
}

/** 12:05 (minutes:seconds), or 1:02:05 past an hour. */
export function formatSpan(ms: number): string {
  const total = Math.floor(ms / 1000)
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60]
  const pad = (n: number) => String(n).padStart(2, '0')
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`
}

export interface OrderFilter {
  text: string
  priority: Priority | ''
}

export function shown(order: WorkOrder, filter: OrderFilter): boolean {
  if (filter.priority && order.priority !== filter.priority) return false
  const text = filter.text.trim().toLowerCase()
  if (!text) return true
  const fields = [order.number, order.title, order.location, order.home, order.device, order.assignee?.name]
  return fields.some((field) => field?.toLowerCase().includes(text))
}

/** Each open column's orders, the most urgent deadline first (urgent priority first). */
export function columns(orders: WorkOrder[], filter: OrderFilter): Record<Status, WorkOrder[]> {
  const byColumn = Object.fromEntries(BOARD_COLUMNS.map((s) => [s, [] as WorkOrder[]])) as Record<Status, WorkOrder[]>
  const rank = (o: WorkOrder) => PRIORITIES.indexOf(o.priority)
  for (const order of orders) if (order.status in byColumn && shown(order, filter)) byColumn[order.status].push(order)
  for (const list of Object.values(byColumn)) {
    list.sort((a, b) => rank(a) - rank(b) || Date.parse(a.accept_by) - Date.parse(b.accept_by))
  }
  return byColumn
}

/** The time now, moving each second while the component is mounted (for SLA clocks). */
export function useNow(stepMs = 1000): Ref<number> {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => (timer = setInterval(() => (now.value = Date.now()), stepMs)))
  onBeforeUnmount(() => clearInterval(timer))
  return now
}

/** Call `load` on mount, whenever the live feed reports a work-order event (bursts coalesced),
 * after a feed resync, and every `everyMs` in case the feed is down. */
export function useOrdersRefresh(load: () => Promise<void>, everyMs = 30_000): void {
  let soon: ReturnType<typeof setTimeout> | undefined
  const later = () => (soon ??= setTimeout(() => ((soon = undefined), void load()), 300))
  onLive('work_order', later)
  onLive('snapshot', later)
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => {
    void load()
    timer = setInterval(() => void load(), everyMs)
  })
  onBeforeUnmount(() => {
    clearInterval(timer)
    clearTimeout(soon)
  })
}

/** A form for multipart endpoints: openapi-fetch sends it as it is. */
export function asForm(body: FormData) {
  return { body: body as never, bodySerializer: (b: unknown) => b as FormData }
}
