/**
 * A window for Node tests of the official Canton providers: its `postMessage` reaches every
 * `'message'` listener of the page asynchronously, as a browser delivers it (a structured clone,
 * origin `http://127.0.0.1`, the window itself as source).
 */
export class WindowShim extends EventTarget {
  postMessage(data: unknown) {
    setTimeout(() => {
      const event = new Event('message') as Event & { data: unknown; origin: string; source: unknown }
      event.data = structuredClone(data)
      event.origin = 'http://127.0.0.1'
      event.source = this
      this.dispatchEvent(event)
    }, 0)
  }
}
