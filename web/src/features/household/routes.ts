import type { FeatureRoute } from '@/router/types'

export default [
  {
    path: '/console/households',
    component: () => import('./ConsoleHouseholdPage.vue'),
    // who may read a household: GET /homes/{id}/household (api/routers/households.py)
    meta: { roles: ['admin', 'customer_service'], layout: 'console', menu: { label: 'household.menu', order: 55 } },
  },
  {
    path: '/m/owner/household',
    component: () => import('./PhoneHouseholdPage.vue'),
    meta: { roles: ['owner'], layout: 'phone' },
  },
] satisfies FeatureRoute[]
