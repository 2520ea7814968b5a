import type { FeatureRoute } from '@/router/types'

export default [
  { path: '/login', name: 'login', component: () => import('./LoginPage.vue'), meta: { public: true } },
] satisfies FeatureRoute[]
