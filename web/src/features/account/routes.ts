import type { FeatureRoute } from '@/router/types'

export default [
  {
    path: '/console/account',
    component: () => import('./ConsoleAccountPage.vue'),
    meta: {
      roles: ['admin', 'operator', 'customer_service', 'finance'],
      layout: 'console',
      menu: { label: 'account.menu', order: 99 },
    },
  },
  {
    path: '/m/account',
    component: () => import('./PhoneAccountPage.vue'),
    meta: {
      roles: ['technician', 'guard'],
      layout: 'phone',
      tab: { label: 'account.menu', icon: 'user-o', order: 90 },
    },
  },
] satisfies FeatureRoute[]
