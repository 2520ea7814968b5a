import { defineStore } from 'pinia'
import { ref } from 'vue'

import { api, unwrap } from '@/api/client'
import { clearTokens, loadTokens, logIn, logOut } from '@/api/tokens'
import type { Language, Me } from '@/api/types'
import { applyLanguage } from '@/i18n'

/** Who is logged in on this tab, and their language. */
export const useSession = defineStore('session', () => {
  const user = ref<Me | null>(null)

  async function loadMe(): Promise<Me> {
    const me = await unwrap(api.GET('/api/v1/auth/me'))
    user.value = me
    applyLanguage(me.language)
    return me
  }

  /** Pick up the tab's session after a reload; false when there is none (or it is over). */
  async function resume(): Promise<boolean> {
    if (user.value) return true
    if (!loadTokens()) return false
    try {
      await loadMe()
      return true
    } catch {
      clearTokens()
      return false
    }
  }

  async function login(username: string, password: string): Promise<Me> {
    await logIn(username, password)
    return loadMe()
  }

  async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await unwrap(
      api.POST('/api/v1/auth/password', {
        body: { current_password: currentPassword, new_password: newPassword },
      }),
    )
    await loadMe()
  }

  async function setLanguage(language: Language): Promise<void> {
    applyLanguage(language)
    if (user.value) user.value = await unwrap(api.PATCH('/api/v1/auth/me', { body: { language } }))
  }

  /** End the session on the hub too, so the refresh token cannot be used again. */
  async function logout(): Promise<void> {
    await logOut()
    user.value = null
  }

  return { user, resume, login, changePassword, setLanguage, logout }
})
