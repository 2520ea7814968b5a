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

export interface PromptTexts {
  placeholder: string
  required: string
  confirm: string
  cancel: string
  customClass?: string
}

/** Text typed in a dialog (a note, a reason), trimmed; rejects ('cancel') when dismissed. */
export async function promptText(title: string, label: string, texts: PromptTexts): Promise<string> {
  const { value } = await ElMessageBox.prompt(label, title, {
    inputType: 'textarea',
    inputPlaceholder: texts.placeholder,
    confirmButtonText: texts.confirm,
    cancelButtonText: texts.cancel,
    inputValidator: (text: string) => text.trim().length > 0 || texts.required,
    customClass: texts.customClass,
  })
  return value.trim()
}
