import { vi } from 'vitest'

/**
 * Makes this process a page for the stores made next (a server has no `document`): a `document`,
 * and the window's `addEventListener` / `removeEventListener` on an `EventTarget` that the test
 * dispatches the page's events at (`visibilitychange`, `pagehide`). Undone by `vi.unstubAllGlobals()`.
 * @returns the page, the two stubs, and how many listeners of a type are added and not removed
 */
export function stubPage() {
  const page = new EventTarget()
  const live = new Map<string, Set<unknown>>()
  const of = (type: string) => live.get(type) ?? live.set(type, new Set()).get(type)!
  const add = vi.fn((type: string, listener: EventListener) => {
    of(type).add(listener)
    page.addEventListener(type, listener)
  })
  const remove = vi.fn((type: string, listener: EventListener) => {
    of(type).delete(listener)
    page.removeEventListener(type, listener)
  })
  vi.stubGlobal('document', {})
  vi.stubGlobal('addEventListener', add)
  vi.stubGlobal('removeEventListener', remove)
  return { page, add, remove, listening: (type: string) => of(type).size }
}
