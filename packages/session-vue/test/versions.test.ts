import * as VueQuery from '@tanstack/vue-query'
import { expect, inject, it } from 'vitest'
import { version } from 'vue'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Vue version the test project names. */
    vue: string
    /** The file of the TanStack Vue Query the test project names. */
    vueQuery: string
  }
}

it('runs on the Vue and the TanStack Vue Query its test project names (the peer ranges are tested at both ends)', async () => {
  expect(version).toBe(inject('vue'))
  expect(VueQuery).toBe(await import(/* @vite-ignore */ inject('vueQuery')))
})
