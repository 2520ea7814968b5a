import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'

import { dispatch, matches, onLive } from './feed'

describe('live feed subscriptions', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('hear an exact kind or its whole family', () => {
    expect(matches('alert', 'alert.raised')).toBe(true)
    expect(matches('alert.raised', 'alert.raised')).toBe(true)
    expect(matches('alert', 'alerts.raised')).toBe(false)
    expect(matches('alert.raised', 'alert.acknowledged')).toBe(false)
  })

  it('reach a component until it unmounts', () => {
    const heard: string[] = []
    const Listener = defineComponent({
      setup() {
        onLive<{ id: number }>('work_order', (data, kind) => heard.push(`${kind}:${data.id}`))
        return () => h('div')
      },
    })
    const wrapper = mount(Listener, { global: { plugins: [createPinia()] } })
    dispatch({ kind: 'work_order.opened', data: { id: 7 } })
    dispatch({ kind: 'alert.raised', data: { id: 8 } })
    wrapper.unmount()
    dispatch({ kind: 'work_order.updated', data: { id: 9 } })
    expect(heard).toEqual(['work_order.opened:7'])
  })
})
