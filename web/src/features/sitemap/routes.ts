import type { FeatureRoute } from '@/router/types'

export default [
  {
    path: '/console/sitemap',
    name: 'sitemap',
    component: () => import('./SiteMapPage.vue'),
    meta: { roles: ['admin', 'operator'], layout: 'console', menu: { label: 'sitemap.title', order: 20 } },
  },
] satisfies FeatureRoute[]
