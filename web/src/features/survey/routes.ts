import type { FeatureRoute } from '@/router/types'

export default [
  {
    path: '/console/surveys',
    component: () => import('./ConsoleSurveysPage.vue'),
    // who may read them: GET /surveys for staff (api/routers/surveys.py)
    meta: { roles: ['admin', 'customer_service'], layout: 'console', menu: { label: 'survey.title', order: 64 } },
  },
  {
    path: '/m/owner/surveys/:id(\\d+)',
    component: () => import('./OwnerSurveyPage.vue'),
    meta: { roles: ['owner'], layout: 'phone' },
  },
  // the SMS link: the token is the credential, no login
  { path: '/s/:token', component: () => import('./PublicSurveyPage.vue'), meta: { public: true } },
] satisfies FeatureRoute[]
