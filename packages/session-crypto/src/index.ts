/**
 * Session envelope and encryption at rest for SessionLayer.
 *
 * @packageDocumentation
 */

/**
 * The version written by the current session envelope encoder.
 * @public
 */
export const CURRENT_SESSION_ENVELOPE_VERSION = 1
