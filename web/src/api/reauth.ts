import { ref } from 'vue'

import { loadTokens, refreshTokens } from './tokens'

/**
 * The login session ended while a page was open. The first refused request asks for the
 * password (ReauthDialog shows while `reauthPrompt` is set); every refused request waits for
 * the same answer, then carries the new token.
 */
export interface ReauthPrompt {
  username: string
  resolve: (accessToken: string) => void
  reject: (reason: Error) => void
}

export const reauthPrompt = ref<ReauthPrompt | null>(null)
let waiting: Promise<string> | null = null

export class SessionEnded extends Error {}

export function reauthenticate(): Promise<string> {
  waiting ??= (async () => {
    const refreshed = await refreshTokens()
    if (refreshed) return refreshed.access
    const username = loadTokens()?.username ?? ''
    return new Promise<string>((resolve, reject) => {
      reauthPrompt.value = { username, resolve, reject }
    })
  })().finally(() => {
    waiting = null
    reauthPrompt.value = null
  })
  return waiting
}
