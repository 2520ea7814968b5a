import { apiError, Unreachable } from './errors'

/**
 * The login session's tokens, in sessionStorage: gone when the tab closes, kept over a reload.
 * The short access token is refreshed before it expires; a refresh token works only once, so
 * one refresh runs at a time.
 */
export interface Tokens {
  access: string
  refresh: string
  /** epoch ms by this browser's clock when the access token expires */
  expiresAt: number
  username: string
}

const KEY = 'estate-hub.session'
const EARLY_MS = 30_000 // refresh this long before expiry

export function loadTokens(): Tokens | null {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Tokens | null
  } catch {
    return null
  }
}

export function saveTokens(tokens: Tokens): void {
  sessionStorage.setItem(KEY, JSON.stringify(tokens))
}

export function clearTokens(): void {
  sessionStorage.removeItem(KEY)
}

export interface TokenAnswer {
  access_token: string
  refresh_token: string
  expires_in: number
}

export function tokensFrom(answer: TokenAnswer, username: string): Tokens {
  return {
    access: answer.access_token,
    refresh: answer.refresh_token,
    expiresAt: Date.now() + answer.expires_in * 1000,
    username,
  }
}

let refreshing: Promise<Tokens | null> | null = null

/** A fresh access token from the refresh token; null when the login session is over. */
export function refreshTokens(): Promise<Tokens | null> {
  refreshing ??= (async () => {
    const current = loadTokens()
    if (!current) return null
    const response = await fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: current.refresh }),
    }).catch(() => null)
    if (!response?.ok) return null
    const next = tokensFrom((await response.json()) as TokenAnswer, current.username)
    saveTokens(next)
    return next
  })().finally(() => {
    refreshing = null
  })
  return refreshing
}

/** The access token to send now, refreshed first when it is about to expire. */
export async function accessToken(): Promise<string | null> {
  const current = loadTokens()
  if (!current) return null
  if (current.expiresAt - Date.now() > EARLY_MS) return current.access
  return (await refreshTokens())?.access ?? current.access
}

/** Log in with a password (never through the API client: a refused login is not a lapse). */
export async function logIn(username: string, password: string): Promise<Tokens> {
  const response = await fetch('/api/v1/auth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }),
  }).catch(() => {
    throw new Unreachable()
  })
  const body: unknown = await response.json().catch(() => null)
  if (!response.ok) throw apiError(response.status, body)
  const tokens = tokensFrom(body as TokenAnswer, username)
  saveTokens(tokens)
  return tokens
}

/** End the session on the hub too (so its refresh token is dead), whatever its state. */
export async function logOut(): Promise<void> {
  const current = loadTokens()
  clearTokens()
  if (!current) return
  await fetch('/api/v1/auth/logout', {
    method: 'POST',
    headers: { Authorization: `Bearer ${current.access}` },
  }).catch(() => undefined)
}
