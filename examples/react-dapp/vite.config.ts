import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// `base: './'`: the built app can be served under any path (the e2e suite mounts it at /react/).
export default defineConfig({
  base: './',
  plugins: [react()],
})
