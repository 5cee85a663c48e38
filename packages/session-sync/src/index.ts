/**
 * Origin-bound multi-tab channel and cross-tab single-flight for SessionLayer.
 *
 * @packageDocumentation
 */

/**
 * The name of the tab channel for one origin and storage key (SPEC M1):
 * `sessionlayer.session.sync::<origin>::<storageKey>`.
 *
 * @param origin - the page origin, e.g. `https://app.example`
 * @param storageKey - the store's storage key
 * @returns the channel name
 * @public
 */
export function syncChannelName(origin: string, storageKey: string): string {
  return `sessionlayer.session.sync::${origin}::${storageKey}`
}
