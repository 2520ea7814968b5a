import type { Role } from '@/api/types'

/** The page each role starts on (each is a feature's route). */
export const HOME: Record<Role, string> = {
  admin: '/console/alarms',
  operator: '/console/alarms',
  customer_service: '/console/service',
  finance: '/console/finance',
  technician: '/m/tech',
  guard: '/m/guard',
  owner: '/m/owner',
}
