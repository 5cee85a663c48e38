import { migrateSessionEnvelope } from './migrateSessionEnvelope'
import type { SessionEnvelope } from './types'

/**
 * The longest envelope text parsed: 4 MiB, room for thousands of accounts (a custodial wallet's
 * 200 parties take about 75 KB) while a hostile blob is still refused before parsing.
 */
const MAX_LENGTH = 2 ** 22

/**
 * Parses and migrates a stored envelope (SPEC K1). Never throws: anything that is not a string,
 * is longer than 4 MiB, is not JSON, or fails
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
