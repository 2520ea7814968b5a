/** Names for the generated API types that pages use often. */
import type { components } from './schema'

export type Schemas = components['schemas']
export type Role = Schemas['Me']['role']
export type Me = Schemas['Me']
export type Language = Schemas['Me']['language']
