import type { FeatureRoute } from '@/router/types'

export default [
  {
    path: '/console/analysis',
    name: 'analysis',
    component: () => import('./AnalysisPage.vue'),
    // who may read it: GET /service-analysis (api/routers/service_analysis.py)
    meta: { roles: ['admin', 'customer_service'], layout: 'console', menu: { label: 'analysis.menu', order: 65 } },
  },
] satisfies FeatureRoute[]
