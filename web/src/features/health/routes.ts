import type { FeatureRoute } from '@/router/types'

export default [
  {
    path: '/console/health',
    name: 'health',
    component: () => import('./HealthPage.vue'),
    meta: { roles: ['admin', 'operator'], layout: 'console', menu: { label: 'health.title', order: 90 } },
  },
] satisfies FeatureRoute[]
