import { i18n } from '@/i18n'

/** An answer the hub refused: `code` names the `errors.<code>` message people read. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: unknown,
  ) {
    super(typeof detail === 'string' ? detail : `HTTP ${status}`)
  }

  /** The message in the page's language; the hub's English text when no translation exists. */
  get text(): string {
    const key = `errors.${this.code}`
    if (i18n.global.te(key)) return i18n.global.t(key)
    return this.message
  }
}

/** The hub could not be reached at all (down, or the network is). */
export class Unreachable extends ApiError {
  constructor() {
    super(0, 'unreachable', 'the hub cannot be reached')
  }
}

interface ErrorShape {
  detail?: unknown
  code?: string
}

export function apiError(status: number, body: unknown): ApiError {
  const shape = (body ?? {}) as ErrorShape
  return new ApiError(status, shape.code ?? `http_${status}`, shape.detail ?? null)
}
