import { reactive, ref } from 'vue'
import { useI18n } from 'vue-i18n'

import type { ApiError } from '@/api/errors'
import { useSession } from '@/stores/session'

/** The change-password form's state and its one action, shared by the console and phone pages. */
export function usePasswordChange() {
  const { t } = useI18n()
  const session = useSession()
  const form = reactive({ current: '', next: '', repeat: '' })
  const error = ref('')
  const done = ref(false)
  const busy = ref(false)

  async function submit(): Promise<void> {
    done.value = false
    error.value = form.next === form.repeat ? '' : t('login.mismatch')
    if (error.value) return
    busy.value = true
    try {
      await session.changePassword(form.current, form.next)
      Object.assign(form, { current: '', next: '', repeat: '' })
      done.value = true
    } catch (e) {
      error.value = (e as ApiError).text
    } finally {
      busy.value = false
    }
  }

  return { form, error, done, busy, submit }
}
