import { createI18n } from 'vue-i18n'

import type { Language } from '@/api/types'
import en from '@/locales/en.json'
import zhCN from '@/locales/zh-CN.json'

export type Catalogue = { [key: string]: string | Catalogue }
export const LANGUAGES: Language[] = ['zh-CN', 'en']

/** Each feature's messages (src/features/<feature>/locales/<lang>.json), under its name. */
const featureFiles = import.meta.glob<{ default: Catalogue }>('./features/*/locales/*.json', {
  eager: true,
})

export function catalogues(): Record<Language, Catalogue> {
  const result: Record<Language, Catalogue> = { 'zh-CN': { ...zhCN }, en: { ...en } }
  for (const [path, module] of Object.entries(featureFiles)) {
    const match = /features\/([^/]+)\/locales\/([^/]+)\.json$/.exec(path)
    if (!match) continue
    const [, feature, language] = match as unknown as [string, string, Language]
    if (language in result) result[language][feature] = module.default
  }
  return result
}

export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: catalogues(),
  missingWarn: false,
  fallbackWarn: false,
})

/** Switch the page's language (the session store saves it on the account). */
export function applyLanguage(language: Language): void {
  i18n.global.locale.value = language
  document.documentElement.lang = language
}
