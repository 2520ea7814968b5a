import type { FeatureRoute } from '@/router/types'

export default [
  {
    path: '/console/alarms',
    name: 'alarms',
    component: () => import('./AlarmsPage.vue'),
    meta: { roles: ['admin', 'operator'], layout: 'console', menu: { label: 'alarms.menu', order: 10 } },
  },
  {
    path: '/console/alarms/:id(\\d+)',
    name: 'alarm',
    component: () => import('./AlarmDetailPage.vue'),
    meta: { roles: ['admin', 'operator'], layout: 'console' },
  },
] satisfies FeatureRoute[]
