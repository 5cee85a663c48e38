import { defineConfig } from 'vite'

// `base: './'`: the built app can be served under any path (the e2e suite mounts it at /vanilla/).
export default defineConfig({
  base: './',
})
