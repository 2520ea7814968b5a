/** Where a point of the screen falls on a plan, as the fractions the hub stores (0..1). */
export interface Box {
  left: number
  top: number
  width: number
  height: number
}

export function fractionOn(box: Box, clientX: number, clientY: number): { x: number; y: number } {
  const clamp = (v: number) => Math.min(1, Math.max(0, Math.round(v * 10000) / 10000))
  return { x: clamp((clientX - box.left) / box.width), y: clamp((clientY - box.top) / box.height) }
}

/** A plan's label: the estate's site plan, or "building · floor". */
export function planLabel(
  plan: { name: string; building_id: number | null; floor: string },
  buildingName: (id: number) => string,
): string {
  if (plan.building_id === null) return plan.name
  return `${buildingName(plan.building_id)} · ${plan.floor || plan.name}`
}
