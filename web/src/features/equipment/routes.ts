import type { FeatureRoute } from '@/router/types'

import { READERS } from './equipment'

export default [
  {
    path: '/console/equipment-analysis',
    name: 'equipment-analysis',
    component: () => import('./EquipmentAnalysisPage.vue'),
    meta: { roles: READERS, layout: 'console', menu: { label: 'equipment.menu', order: 36 } },
  },
] satisfies FeatureRoute[]
