// @vitest-environment jsdom
import { createMemoryStorage, createSessionStore, type SessionStore } from '@sessionlayer/session-core'
import { createMockProvider } from '@sessionlayer/session-testing'
import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent } from 'vue'
import { createSessionPlugin } from './createSessionPlugin'
import { useSessionStore } from './useSessionStore'

describe('useSessionStore', () => {
  it('returns the provided store itself', () => {
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    let got: SessionStore | undefined
    mount(defineComponent({ setup: () => ((got = useSessionStore()), () => null) }), { global: { plugins: [createSessionPlugin(store)] } })
    expect(got).toBe(store)
  })

  it('without a provider it throws an error naming createSessionPlugin and provideSession', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const errors: unknown[] = []
    const app = createApp(defineComponent({ setup: () => (useSessionStore(), () => null) }))
    app.config.errorHandler = (error) => errors.push(error)
    app.mount(document.createElement('div'))
    warn.mockRestore()
    expect(errors).toHaveLength(1)
    expect(String(errors[0])).toMatch(/createSessionPlugin.*provideSession/)
    const outside = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    expect(() => useSessionStore()).toThrow(/createSessionPlugin.*provideSession/)
    outside.mockRestore()
  })
})
