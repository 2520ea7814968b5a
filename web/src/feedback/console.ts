/** Toasts and confirm boxes on the desktop consoles (Element Plus), with their styles: the
 * template resolver only styles components used in templates, not these function APIs. */
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'

import { ElMessage, ElMessageBox } from 'element-plus'

import type { ApiError } from '@/api/client'

export function toastError(error: unknown): void {
  ElMessage.error((error as ApiError).text ?? String(error))
}

export function toastOk(message: string): void {
  ElMessage.success(message)
}

/** Whether the person confirmed (false when they cancelled or closed the box). */
export async function confirmed(message: string, title: string, action: string, cancel: string): Promise<boolean> {
  try {
    await ElMessageBox.confirm(message, title, {
      type: 'warning',
      confirmButtonText: action,
      cancelButtonText: cancel,
    })
    return true
  } catch {
    return false
  }
}
