/**
 * A list loaded from the hub and kept current by live events. A load answers as of the moment
 * the hub read it, so events heard while the answer was on its way are applied on top of it
 * (otherwise an alarm raised during a reload vanishes until the next one), and an answer
 * overtaken by a newer load is dropped.
 */
import { type ShallowRef, shallowRef } from 'vue'

import { type Alarm, type AlarmFilter, upsert } from './alarmList'

export interface LiveList {
  rows: ShallowRef<Alarm[]>
  /** Replace the rows with `fetch`'s answer; undefined when a newer load overtook this one. */
  load(fetch: () => Promise<Alarm[]>): Promise<Alarm[] | undefined>
  /** Put a batch of live events in place. */
  apply(batch: Alarm[]): void
}

export function liveList(filter: () => AlarmFilter): LiveList {
  const rows = shallowRef<Alarm[]>([])
  const heard = new Map<number, Alarm>() // the latest event per alarm since the newest load began
  let generation = 0
  let inFlight = false

  async function load(fetch: () => Promise<Alarm[]>): Promise<Alarm[] | undefined> {
    const mine = ++generation
    inFlight = true
    heard.clear()
    try {
      const answer = await fetch()
      if (mine !== generation) return undefined
      rows.value = upsert(answer, [...heard.values()], filter())
      return rows.value
    } finally {
      if (mine === generation) {
        inFlight = false
        heard.clear()
      }
    }
  }

  function apply(batch: Alarm[]): void {
    if (inFlight) for (const alarm of batch) heard.set(alarm.id, alarm)
    rows.value = upsert(rows.value, batch, filter())
  }

  return { rows, load, apply }
}
