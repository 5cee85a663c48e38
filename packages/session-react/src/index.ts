/**
 * React bindings for SessionLayer.
 *
 * @packageDocumentation
 */
export { SessionError } from '@sessionlayer/session-core'
