import type { FeatureRoute } from '@/router/types'

export default [
  {
    path: '/console/finance',
    name: 'finance',
    component: () => import('./FinancePage.vue'),
    meta: { roles: ['finance', 'admin'], layout: 'console', menu: { label: 'finance.menu', order: 50 } },
  },
] satisfies FeatureRoute[]
