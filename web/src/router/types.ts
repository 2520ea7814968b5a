import type { RouteRecordRaw } from 'vue-router'

import type { Role } from '@/api/types'

/** Where a page lives: the desktop staff console (Element Plus) or the phone shell (Vant). */
export type Layout = 'console' | 'phone'

export interface MenuEntry {
  /** i18n key of the menu label */
  label: string
  /** smaller comes first */
  order: number
}

export interface PhoneTab {
  label: string
  /** a Vant icon name */
  icon: string
  order: number
}

declare module 'vue-router' {
  interface RouteMeta {
    /** who may open the page; the API still decides what it shows */
    roles?: Role[]
    layout?: Layout
    menu?: MenuEntry
    tab?: PhoneTab
    /** the login pages: no session needed */
    public?: boolean
  }
}

/** A feature's page: every feature's routes.ts exports a list of these. */
export type FeatureRoute = RouteRecordRaw & {
  meta: { roles: Role[]; layout: Layout } | { public: true }
}
