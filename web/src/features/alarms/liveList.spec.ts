import { describe, expect, it } from 'vitest'

import { type Alarm, emptyFilter } from './alarmList'
import { liveList } from './liveList'
import { alarm } from './testAlarm'

/** A fetch whose answer the test hands over when it chooses. */
function deferred(): { fetch: () => Promise<Alarm[]>; answer: (list: Alarm[]) => void } {
  let answer: (list: Alarm[]) => void = () => undefined
  const promise = new Promise<Alarm[]>((resolve) => (answer = resolve))
  return { fetch: () => promise, answer }
}

describe('a live alarm list', () => {
  it('keeps an alarm raised while a reload was on its way, which the answer does not hold', async () => {
    const list = liveList(emptyFilter)
    const leak = alarm({ id: 1 })
    const swipe = alarm({ id: 3, severity: 'warning', title: '门禁拒绝' })
    const reload = deferred()
    const loading = list.load(reload.fetch)
    list.apply([swipe]) // heard after the hub read the list, before its answer arrived
    reload.answer([leak])
    await loading
    expect(list.rows.value.map((row) => row.id)).toEqual([1, 3])
  })

  it('applies the latest event heard during a reload over the older state in the answer', async () => {
    const list = liveList(emptyFilter)
    const reload = deferred()
    const loading = list.load(reload.fetch)
    list.apply([alarm({ id: 1, state: 'cleared_acknowledged', unacknowledged: false })])
    reload.answer([alarm({ id: 1 })])
    await loading
    expect(list.rows.value).toEqual([])
  })

  it('drops an answer that a newer load overtook', async () => {
    const list = liveList(emptyFilter)
    const older = deferred()
    const newer = deferred()
    const first = list.load(older.fetch)
    const second = list.load(newer.fetch)
    newer.answer([alarm({ id: 1 }), alarm({ id: 2 })])
    await second
    older.answer([alarm({ id: 1 })])
    expect(await first).toBeUndefined()
    expect(list.rows.value.map((row) => row.id)).toEqual([1, 2])
  })

  it('stops recording events once the answer is in', async () => {
    const list = liveList(emptyFilter)
    await list.load(() => Promise.resolve([alarm({ id: 1 })]))
    list.apply([alarm({ id: 1, state: 'cleared_acknowledged', unacknowledged: false })])
    await list.load(() => Promise.resolve([alarm({ id: 2 })]))
    expect(list.rows.value.map((row) => row.id)).toEqual([2])
  })
})
