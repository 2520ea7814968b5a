import type { FeatureRoute } from '@/router/types'

export default [
  {
    path: '/console/orders',
    name: 'orders',
    component: () => import('./OrdersBoardPage.vue'),
    meta: {
      roles: ['admin', 'operator', 'customer_service'],
      layout: 'console',
      menu: { label: 'orders.menu', order: 15 },
    },
  },
  {
    path: '/console/service',
    name: 'service',
    component: () => import('./ServiceDeskPage.vue'),
    meta: { roles: ['customer_service'], layout: 'console', menu: { label: 'orders.service.menu', order: 5 } },
  },
  {
    path: '/m/tech',
    name: 'tech',
    component: () => import('./TechOrdersPage.vue'),
    meta: { roles: ['technician'], layout: 'phone', tab: { label: 'orders.tech.tab', icon: 'todo-list-o', order: 10 } },
  },
  {
    path: '/m/tech/orders/:id(\\d+)',
    name: 'tech-order',
    component: () => import('./TechOrderPage.vue'),
    meta: { roles: ['technician'], layout: 'phone' },
  },
] satisfies FeatureRoute[]
