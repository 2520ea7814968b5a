/** A repair's status as a Vant tag colour. */
export function statusTag(status: string): 'primary' | 'success' | 'warning' | 'default' {
  if (status === 'completed' || status === 'confirmed') return 'success'
  if (status === 'submitted') return 'warning'
  if (status === 'cancelled') return 'default'
  return 'primary'
}

export const CATEGORIES = ['plumbing', 'electrical', 'doors', 'appliance', 'public_area', 'other']
