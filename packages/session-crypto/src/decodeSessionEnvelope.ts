import { migrateSessionEnvelope } from './migrateSessionEnvelope'
import type { SessionEnvelope } from './types'


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
    // 4 MiB at most, room for thousands of accounts (a custodial wallet's 200 parties take about
    // 75 KB) while a hostile blob is still refused before parsing
    return typeof text == 'string' && text.length <= 2 ** 22
      ? migrateSessionEnvelope(JSON.parse(text))
      : null
  } catch {
    return null
  }
}
