import type { FeatureRoute } from '@/router/types'

import { READERS } from './assets'

export default [
  {
    path: '/console/assets',
    name: 'assets',
    component: () => import('./AssetsPage.vue'),
    meta: { roles: READERS, layout: 'console', menu: { label: 'assets.title', order: 35 } },
  },
  {
    path: '/console/assets/:id(\\d+)',
    name: 'asset',
    component: () => import('./AssetPage.vue'),
    meta: { roles: READERS, layout: 'console' },
  },
] satisfies FeatureRoute[]
