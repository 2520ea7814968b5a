import type { FeatureRoute } from '@/router/types'

export default [
  {
    path: '/console/complaints',
    name: 'complaints',
    component: () => import('./ComplaintsDeskPage.vue'),
    meta: {
      roles: ['customer_service', 'admin'],
      layout: 'console',
      menu: { label: 'complaints.menu', order: 6 },
    },
  },
] satisfies FeatureRoute[]
