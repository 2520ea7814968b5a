/**
 * The control room's attention getters: a beep loop while a critical or major alarm waits for
 * its acknowledgement (mutable for 10 minutes, remembered across reloads), desktop
 * notifications (permission asked on a click, as browsers require), and the tab title's count.
 */
import { computed, onBeforeUnmount, ref, watchEffect, type Ref } from 'vue'

import { type Alarm, needsSound, unacknowledged } from './alarmList'

export const MUTE_MS = 10 * 60 * 1000
const MUTE_KEY = 'estate-hub.alarms.muted-until'
const BEEP_EVERY_MS = 1500

export type BellState = 'ringing' | 'muted' | 'quiet'

/** Beep while `alarms` holds a loud unacknowledged one, unless muted. */
export function useAlarmBell(alarms: Ref<Alarm[]>) {
  const mutedUntil = ref(Number(localStorage.getItem(MUTE_KEY)) || 0)
  const now = ref(Date.now())
  const muted = computed(() => mutedUntil.value > now.value)
  const state = computed<BellState>(() => {
    if (!needsSound(alarms.value)) return 'quiet'
    return muted.value ? 'muted' : 'ringing'
  })
  let audio: AudioContext | null = null

  // Browsers let a page make sound only after the user has interacted with it.
  function unlock(): void {
    if (typeof AudioContext === 'undefined') return
    audio ??= new AudioContext()
    void audio.resume()
  }
  document.addEventListener('pointerdown', unlock)
  document.addEventListener('keydown', unlock)

  function tone(frequency: number, delay: number): void {
    if (!audio || audio.state !== 'running') return
    const oscillator = audio.createOscillator()
    const gain = audio.createGain()
    oscillator.type = 'square'
    oscillator.frequency.value = frequency
    gain.gain.value = 0.06
    oscillator.connect(gain).connect(audio.destination)
    const start = audio.currentTime + delay
    oscillator.start(start)
    oscillator.stop(start + 0.2)
  }

  const timer = setInterval(() => {
    now.value = Date.now()
    if (state.value !== 'ringing') return
    tone(880, 0)
    if (alarms.value.some((a) => a.unacknowledged && a.severity === 'critical')) tone(660, 0.3)
  }, BEEP_EVERY_MS)

  function setMute(until: number): void {
    mutedUntil.value = until
    now.value = Date.now()
    localStorage.setItem(MUTE_KEY, String(until))
  }

  onBeforeUnmount(() => {
    clearInterval(timer)
    document.removeEventListener('pointerdown', unlock)
    document.removeEventListener('keydown', unlock)
    void audio?.close()
  })

  return {
    state,
    mutedUntil,
    mute: () => setMute(Date.now() + MUTE_MS),
    unmute: () => setMute(0),
  }
}

/** Desktop notifications for new loud alarms, once the user has allowed them. */
export function useDesktopNotices() {
  const supported = typeof Notification !== 'undefined'
  const permission = ref<NotificationPermission>(supported ? Notification.permission : 'denied')

  async function ask(): Promise<void> {
    if (supported) permission.value = await Notification.requestPermission()
  }

  function tell(title: string, body: string, tag: string, onClick: () => void): void {
    if (!supported || permission.value !== 'granted') return
    const notice = new Notification(title, { body, tag, requireInteraction: true })
    notice.onclick = () => {
      window.focus()
      onClick()
      notice.close()
    }
  }

  return { supported, permission, ask, tell }
}

/** "(N) title" while N alarms wait for an acknowledgement; the old title back on leaving. */
export function useTitleCount(alarms: Ref<Alarm[]>, title: () => string): Ref<number> {
  const count = computed(() => unacknowledged(alarms.value).length)
  const before = document.title
  watchEffect(() => {
    document.title = count.value ? `(${count.value}) ${title()}` : title()
  })
  onBeforeUnmount(() => {
    document.title = before
  })
  return count
}
