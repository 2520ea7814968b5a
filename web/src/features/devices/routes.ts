import type { FeatureRoute } from '@/router/types'

export default [
  {
    path: '/console/devices',
    name: 'devices',
    component: () => import('./DevicesPage.vue'),
    meta: { roles: ['admin', 'operator'], layout: 'console', menu: { label: 'devices.title', order: 30 } },
  },
  {
    path: '/console/commands',
    name: 'commands',
    component: () => import('./CommandsPage.vue'),
    meta: { roles: ['admin', 'operator'], layout: 'console', menu: { label: 'devices.commandLog.menu', order: 32 } },
  },
] satisfies FeatureRoute[]
