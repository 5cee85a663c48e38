import { useSessionEvent, useSessionStore } from '@sessionlayer/session-vue'
import { defineComponent, h, onScopeDispose, ref } from 'vue'
import { formatDelay, formatTime, shortParty } from '../format'

interface Entry {
  readonly id: number
  readonly at: number
  readonly type: string
  readonly detail: string
}

let ids = 0

/** Every session event, newest first, as it happens. */
export const EventLog = defineComponent({
  name: 'EventLog',
  setup() {
    const entries = ref<readonly Entry[]>([])
    const log = (type: string, detail = '') => {
      entries.value = [{ id: ++ids, at: Date.now(), type, detail }, ...entries.value].slice(0, 40)
    }
    const store = useSessionStore()
    onScopeDispose(
      store.subscribe((state, previous) => {
        if (state.status !== previous.status) log('status', `${previous.status} → ${state.status}`)
      }),
    )
    useSessionEvent('connect:pending', () => log('connect:pending', 'waiting for the wallet'))
    useSessionEvent('party:changed', (e) => log('party:changed', `${shortParty(e.previous)} → ${shortParty(e.current)} (${e.source})`))
    useSessionEvent('network:changed', (e) => log('network:changed', `${e.previous ?? '—'} → ${e.current ?? '—'} (${e.source})`))
    useSessionEvent('reconnect:scheduled', (e) => log('reconnect:scheduled', `#${e.attempt} in ${formatDelay(e.delayMs)}`))
    useSessionEvent('reconnect:attempt', (e) => log('reconnect:attempt', `#${e.attempt}`))
    useSessionEvent('reconnect:succeeded', (e) => log('reconnect:succeeded', `after #${e.attempt}`))
    useSessionEvent('reconnect:gaveup', (e) => log('reconnect:gaveup', `after ${e.attempts} attempts`))
    useSessionEvent('session:expired', (e) => log('session:expired', e.reason))
    useSessionEvent('invalidate', (e) => log('invalidate', e.type))
    useSessionEvent('storage:error', (e) => log('storage:error', e.operation))
    useSessionEvent('error', (e) => log('error', e.error instanceof Error ? e.error.message : String(e.error)))
    return () =>
      h('section', { class: 'card events' }, [
        h('h2', 'Events'),
        h(
          'ol',
          { class: 'log', 'data-testid': 'event-log' },
          entries.value.length
            ? entries.value.map((entry) =>
                h('li', { key: entry.id, 'data-testid': 'event', 'data-type': entry.type }, [
                  h('time', formatTime(entry.at)),
                  ' ',
                  h('b', entry.type),
                  ` ${entry.detail}`,
                ]),
              )
            : [h('li', { class: 'hint' }, 'Nothing yet.')],
        ),
      ])
  },
})
