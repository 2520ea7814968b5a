import type { FeatureRoute } from '@/router/types'

export default [
  {
    path: '/console/admin',
    name: 'admin',
    component: () => import('./AdminPage.vue'),
    meta: { roles: ['admin'], layout: 'console', menu: { label: 'admin.menu', order: 80 } },
  },
] satisfies FeatureRoute[]
