/**
 * The hub's live feed (/api/v1/live): one WebSocket per tab, shared by every page.
 *
 * The token goes in the first message, never the URL. A 4401 close means the login session
 * lapsed: the feed gets a fresh token (asking for the password in place if it must) and
 * reconnects; 4403 means this role has nothing to watch. Any other drop shows as "down" at
 * once and is retried, so a page never says "live" over a dead socket.
 */
import { defineStore } from 'pinia'
import { onBeforeUnmount, ref } from 'vue'

import { reauthenticate } from '@/api/reauth'
import { accessToken } from '@/api/tokens'

export type LiveState = 'off' | 'connecting' | 'live' | 'down' | 'forbidden'
export interface LiveMessage {
  kind: string
  data: unknown
}
type Handler = (data: never, kind: string) => void

const CLOSE_UNAUTHENTICATED = 4401
const CLOSE_FORBIDDEN = 4403
const RETRY_MS = [500, 1000, 2000, 5000]

const handlers = new Map<string, Set<Handler>>()

/** Whether a subscription to `pattern` hears `kind`: exact, or its family ("alert" hears "alert.raised"). */
export function matches(pattern: string, kind: string): boolean {
  return pattern === kind || kind.startsWith(`${pattern}.`)
}

export function dispatch(message: LiveMessage): void {
  for (const [pattern, set] of handlers) {
    if (!matches(pattern, message.kind)) continue
    for (const handler of set) handler(message.data as never, message.kind)
  }
}

/** Hear `kind` (or its family) until the calling component unmounts. */
export function onLive<T>(kind: string, handler: (data: T, kind: string) => void): void {
  const set = handlers.get(kind) ?? new Set<Handler>()
  handlers.set(kind, set)
  set.add(handler as Handler)
  onBeforeUnmount(() => set.delete(handler as Handler))
  void useLiveStore().connect()
}

export const useLiveStore = defineStore('live', () => {
  const state = ref<LiveState>('off')
  let socket: WebSocket | null = null
  let attempts = 0
  let retryTimer: ReturnType<typeof setTimeout> | undefined

  async function connect(): Promise<void> {
    if (socket) return
    const token = await accessToken()
    if (!token) return
    state.value = 'connecting'
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    const ws = new WebSocket(`${scheme}://${location.host}/api/v1/live`)
    socket = ws
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token }))
    ws.onmessage = (event: MessageEvent<string>) => {
      attempts = 0
      state.value = 'live'
      dispatch(JSON.parse(event.data) as LiveMessage)
    }
    ws.onclose = (event) => void closed(ws, event.code)
  }

  async function closed(ws: WebSocket, code: number): Promise<void> {
    if (socket !== ws) return // replaced or stopped on purpose
    socket = null
    if (code === CLOSE_FORBIDDEN) {
      state.value = 'forbidden'
      return
    }
    state.value = 'down'
    if (code === CLOSE_UNAUTHENTICATED) {
      await reauthenticate().catch(() => undefined)
      return connect()
    }
    const wait = RETRY_MS[Math.min(attempts, RETRY_MS.length - 1)]
    attempts += 1
    retryTimer = setTimeout(() => void connect(), wait)
  }

  function stop(): void {
    clearTimeout(retryTimer)
    const ws = socket
    socket = null
    ws?.close()
    state.value = 'off'
  }

  return { state, connect, stop }
})

/** Hear `kind` and keep the feed connected while the calling component is shown. */
export function useLive(): ReturnType<typeof useLiveStore> {
  const live = useLiveStore()
  void live.connect()
  return live
}
