import type { FeatureRoute } from '@/router/types'

export default [
  { path: '/register', component: () => import('./RegisterPage.vue'), meta: { public: true } },
  {
    path: '/console/registrations',
    component: () => import('./ConsoleRegistrationsPage.vue'),
    // GET /registrations and /ownership-changes (api/routers/registrations.py, ownership_changes.py)
    meta: { roles: ['admin', 'customer_service'], layout: 'console', menu: { label: 'registration.menu', order: 56 } },
  },
] satisfies FeatureRoute[]
