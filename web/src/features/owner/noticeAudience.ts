/** Whom an owner is told a notice is for: their home, their building, or the whole estate. */
import type { Schemas } from '@/api/types'

type Notice = Schemas['NoticeOut']

export function noticeAudience(notice: Notice, t: (key: string) => string): string {
  if (notice.homes.length) return t('owner.notices.yourHome')
  return notice.building ?? t('owner.notices.everyone')
}
