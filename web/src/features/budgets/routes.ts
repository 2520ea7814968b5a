import type { FeatureRoute } from '@/router/types'

export default [
  {
    path: '/console/budgets',
    name: 'budgets',
    component: () => import('./BudgetsPage.vue'),
    // every department head prepares their own; the API shows each only theirs
    meta: {
      roles: ['admin', 'finance', 'operator', 'technician', 'guard', 'customer_service'],
      layout: 'console',
      menu: { label: 'budgets.menu', order: 52 },
    },
  },
] satisfies FeatureRoute[]
