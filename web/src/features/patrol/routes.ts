import type { FeatureRoute } from '@/router/types'

export default [
  {
    path: '/m/guard',
    name: 'guard',
    component: () => import('./GuardPage.vue'),
    meta: { roles: ['guard'], layout: 'phone', tab: { label: 'patrol.tab', icon: 'guide-o', order: 10 } },
  },
  {
    path: '/console/patrol',
    name: 'patrol',
    component: () => import('./PatrolPage.vue'),
    meta: { roles: ['admin', 'operator'], layout: 'console', menu: { label: 'patrol.menu', order: 40 } },
  },
] satisfies FeatureRoute[]
