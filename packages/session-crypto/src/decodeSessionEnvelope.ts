import { migrateSessionEnvelope } from './migrateSessionEnvelope'
import type { SessionEnvelope } from './types'

/** The longest envelope text parsed: 64 KiB, far above any real session. */
const MAX_LENGTH = 65536

/**
 * Parses and migrates a stored envelope (SPEC K1). Never throws: anything that is not a string,
 * is longer than 64 KiB, is not JSON, or fails
 * {@link migrateSessionEnvelope} reads as null.
 *
 * @param text - the stored text
 * @returns the current envelope, or null
 * @public
 */
export function decodeSessionEnvelope(text: unknown): SessionEnvelope | null {
  try {
    return typeof text == 'string' && text.length <= MAX_LENGTH
      ? migrateSessionEnvelope(JSON.parse(text))
      : null
  } catch {
    return null
  }
}
