import type { FeatureRoute } from '@/router/types'

export default [
  {
    path: '/console/maintenance',
    name: 'maintenance',
    component: () => import('./MaintenancePage.vue'),
    meta: { roles: ['admin', 'operator'], layout: 'console', menu: { label: 'maintenance.menu', order: 36 } },
  },
  {
    path: '/m/tech/maintenance',
    name: 'tech-maintenance',
    component: () => import('./TechTasksPage.vue'),
    meta: { roles: ['technician'], layout: 'phone', tab: { label: 'maintenance.tech.tab', icon: 'calendar-o', order: 15 } },
  },
  {
    path: '/m/tech/maintenance/:id(\\d+)',
    name: 'tech-maintenance-task',
    component: () => import('./TechTaskPage.vue'),
    meta: { roles: ['technician'], layout: 'phone' },
  },
] satisfies FeatureRoute[]
