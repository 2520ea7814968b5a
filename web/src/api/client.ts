/**
 * The one way pages talk to the hub: an openapi-fetch client typed from the API's OpenAPI.
 *
 * It sends the access token, refreshes it, and when the login session is over (expired,
 * revoked, deactivated) it asks for the password again in place and then sends the request
 * once more, so the page, and any form being typed, stays as it was.
 */
import createClient, { type Middleware } from 'openapi-fetch'

import { accessToken } from './tokens'
import { apiError, type ApiError, Unreachable } from './errors'
import { reportReachable } from './reachability'
import { reauthenticate } from './reauth'
import type { paths } from './schema'

export { ApiError } from './errors'

const pending = new WeakMap<Request, Request>()

const auth: Middleware = {
  async onRequest({ request }) {
    const token = await accessToken()
    if (token) request.headers.set('Authorization', `Bearer ${token}`)
    pending.set(request, request.clone())
    return request
  },
  async onResponse({ request, response }) {
    reportReachable(response.status < 502 || response.status > 504)
    const retry = pending.get(request)
    pending.delete(request)
    if (response.status !== 401 || !retry || !request.headers.has('Authorization')) return response
    const token = await reauthenticate()
    retry.headers.set('Authorization', `Bearer ${token}`)
    return fetch(retry)
  },
  onError() {
    reportReachable(false)
    return new Unreachable()
  },
}

export const api = createClient<paths>({ baseUrl: '' })
api.use(auth)

interface Answer<T> {
  data?: T
  error?: unknown
  response: Response
}

/** The answer's data, or an `ApiError` thrown with the hub's code. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>
  try {
    answer = await call
  } catch (error) {
    throw error instanceof Error && 'code' in error ? (error as ApiError) : new Unreachable()
  }
  if (answer.error !== undefined || !answer.response.ok) {
    throw apiError(answer.response.status, answer.error)
  }
  return answer.data as T
}
