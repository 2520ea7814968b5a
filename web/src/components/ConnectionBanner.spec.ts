import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'

import { hubReachable } from '@/api/reachability'
import { i18n } from '@/i18n'
import { useLiveStore } from '@/live/feed'

import ConnectionBanner from './ConnectionBanner.vue'

describe('ConnectionBanner', () => {
  afterEach(() => {
    hubReachable.value = true
  })

  it('is absent while the hub answers and the feed is live', () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    const wrapper = mount(ConnectionBanner, { global: { plugins: [pinia, i18n] } })
    expect(wrapper.find('[data-test=connection-banner]').exists()).toBe(false)
  })

  it('says the hub is unreachable before saying the feed is down', async () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    const wrapper = mount(ConnectionBanner, { global: { plugins: [pinia, i18n] } })
    useLiveStore().state = 'down'
    await nextTick()
    expect(wrapper.text()).toContain('实时连接已断开')
    hubReachable.value = false
    await nextTick()
    expect(wrapper.text()).toContain('无法连接中控服务器')
  })
})
