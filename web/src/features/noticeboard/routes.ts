import type { FeatureRoute } from '@/router/types'

export default [
  {
    path: '/console/notices',
    name: 'notices',
    component: () => import('./NoticesPage.vue'),
    // who may publish: POST /notices (api/routers/notices.py)
    meta: { roles: ['admin', 'customer_service'], layout: 'console', menu: { label: 'noticeboard.menu', order: 60 } },
  },
] satisfies FeatureRoute[]
