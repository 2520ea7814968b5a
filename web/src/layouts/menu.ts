import type { Role } from '@/api/types'
import { featureRoutes } from '@/router'
import type { Layout, MenuEntry, PhoneTab } from '@/router/types'

export interface NavItem<T> {
  path: string
  entry: T
}

function visible(role: Role, layout: Layout) {
  return featureRoutes.filter(
    (route) => route.meta.layout === layout && (route.meta.roles ?? []).includes(role),
  )
}

/** The console's side menu for a role, from the features' routes. */
export function consoleMenu(role: Role): NavItem<MenuEntry>[] {
  return visible(role, 'console')
    .filter((route) => route.meta.menu)
    .map((route) => ({ path: route.path, entry: route.meta.menu! }))
    .sort((a, b) => a.entry.order - b.entry.order)
}

/** The phone's bottom tabs for a role. */
export function phoneTabs(role: Role): NavItem<PhoneTab>[] {
  return visible(role, 'phone')
    .filter((route) => route.meta.tab)
    .map((route) => ({ path: route.path, entry: route.meta.tab! }))
    .sort((a, b) => a.entry.order - b.entry.order)
}
