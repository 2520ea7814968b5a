import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'

import { useSession } from '@/stores/session'

import { HOME } from './home'
import type { FeatureRoute } from './types'

/** Every feature brings its own pages: src/features/<feature>/routes.ts. */
const modules = import.meta.glob<{ default: FeatureRoute[] }>('../features/*/routes.ts', {
  eager: true,
})
export const featureRoutes: FeatureRoute[] = Object.values(modules).flatMap((m) => m.default)

const routes: RouteRecordRaw[] = [
  ...featureRoutes,
  { path: '/', name: 'home', redirect: () => homePath() },
  {
    path: '/:rest(.*)*',
    name: 'not-found',
    component: () => import('./NotFoundPage.vue'),
    meta: { public: true },
  },
]

function homePath(): string {
  const session = useSession()
  return session.user ? HOME[session.user.role] : '/login'
}

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  const session = useSession()
  if (!(await session.resume())) return { path: '/login', query: { next: to.fullPath } }
  const user = session.user!
  if (user.must_change_password) return { path: '/login', query: { next: to.fullPath } }
  if (to.meta.roles && !to.meta.roles.includes(user.role)) return HOME[user.role]
  return true
})
