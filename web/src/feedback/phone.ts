/** Toasts and confirm dialogs on the phone pages (Vant), with their styles: the template
 * resolver only styles components used in templates, not these function APIs. */
import 'vant/es/toast/style'
import 'vant/es/dialog/style'

import { showConfirmDialog, showFailToast, showSuccessToast } from 'vant'

import type { ApiError } from '@/api/client'

export function phoneError(error: unknown): void {
  showFailToast((error as ApiError).text ?? String(error))
}

export function phoneOk(message: string): void {
  showSuccessToast(message)
}

/** Whether the person confirmed (false when they cancelled). */
export async function phoneConfirmed(message: string, title: string): Promise<boolean> {
  try {
    await showConfirmDialog({ title, message })
    return true
  } catch {
    return false
  }
}
