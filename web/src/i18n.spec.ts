import { describe, expect, it } from 'vitest'

import { type Catalogue, catalogues } from './i18n'

function keys(catalogue: Catalogue, prefix = ''): string[] {
  return Object.entries(catalogue).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${prefix}${key}`] : keys(value, `${prefix}${key}.`),
  )
}

describe('message catalogues', () => {
  const { 'zh-CN': zh, en } = catalogues()

  it('have every key in both zh-CN and English', () => {
    const zhKeys = keys(zh).sort()
    const enKeys = keys(en).sort()
    expect(zhKeys.filter((key) => !enKeys.includes(key))).toEqual([])
    expect(enKeys.filter((key) => !zhKeys.includes(key))).toEqual([])
  })

  it('have no empty message', () => {
    for (const catalogue of [zh, en]) {
      expect(keys(catalogue).filter((key) => resolve(catalogue, key).trim() === '')).toEqual([])
    }
  })
})

function resolve(catalogue: Catalogue, key: string): string {
  return key.split('.').reduce<Catalogue | string>((node, part) => (node as Catalogue)[part]!, catalogue) as string
}
