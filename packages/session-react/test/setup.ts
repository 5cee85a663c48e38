// Setup of both test projects: unmount what a DOM test rendered (vitest globals are off, so
// Testing Library cannot register its own cleanup).
import { cleanup } from '@testing-library/react'
import { afterEach } from 'vitest'

afterEach(() => {
  cleanup()
})
