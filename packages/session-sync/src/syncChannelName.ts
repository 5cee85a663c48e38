/**
 * The name of the tab channel for one origin and storage key (SPEC M1):
 * `sessionlayer.session.sync::<origin>::<storageKey>`. Two stores share a channel only when both
 * their origin and their storage key match.
 *
 * @param origin - the page origin, e.g. `https://app.example`
 * @param storageKey - the store's storage key
 * @returns the channel name
 * @example
 * ```ts
 * syncChannelName(location.origin, 'sessionlayer.session')
 * // 'sessionlayer.session.sync::https://app.example::sessionlayer.session'
 * ```
 * @public
 */
export function syncChannelName(origin: string, storageKey: string): string {
  return `sessionlayer.session.sync::${origin}::${storageKey}`
}
