import type { Role } from '@/api/types'
import type { FeatureRoute, Layout } from '@/router/types'

const owner: { roles: Role[]; layout: Layout } = { roles: ['owner'], layout: 'phone' }

export default [
  {
    path: '/m/owner',
    component: () => import('./OwnerHomePage.vue'),
    meta: { ...owner, tab: { label: 'owner.tabs.home', icon: 'home-o', order: 10 } },
  },
  {
    path: '/m/owner/bills',
    component: () => import('./BillsPage.vue'),
    meta: { ...owner, tab: { label: 'owner.tabs.bills', icon: 'balance-list-o', order: 20 } },
  },
  { path: '/m/owner/bills/:id(\\d+)', component: () => import('./BillPage.vue'), meta: owner },
  {
    path: '/m/owner/repairs',
    component: () => import('./RepairsPage.vue'),
    meta: { ...owner, tab: { label: 'owner.tabs.repairs', icon: 'setting-o', order: 30 } },
  },
  { path: '/m/owner/repairs/new', component: () => import('./RepairForm.vue'), meta: owner },
  { path: '/m/owner/repairs/:id(\\d+)', component: () => import('./RepairPage.vue'), meta: owner },
  { path: '/m/owner/complaints', component: () => import('./ComplaintsPage.vue'), meta: owner },
  { path: '/m/owner/complaints/new', component: () => import('./ComplaintForm.vue'), meta: owner },
  {
    path: '/m/owner/complaints/:id(\\d+)',
    component: () => import('./ComplaintPage.vue'),
    meta: owner,
  },
  {
    path: '/m/owner/notices',
    component: () => import('./NoticesPage.vue'),
    meta: { ...owner, tab: { label: 'owner.tabs.notices', icon: 'volume-o', order: 40 } },
  },
  { path: '/m/owner/notices/:id(\\d+)', component: () => import('./NoticePage.vue'), meta: owner },
  {
    path: '/m/owner/me',
    component: () => import('./MePage.vue'),
    meta: { ...owner, tab: { label: 'owner.tabs.me', icon: 'user-o', order: 50 } },
  },
  {
    path: '/m/owner/account',
    component: () => import('@/features/account/PhoneAccountPage.vue'),
    meta: owner,
  },
] satisfies FeatureRoute[]
