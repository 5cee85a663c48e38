import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

// `base: './'`: the built app can be served under any path (the e2e suite mounts it at /vue/).
export default defineConfig({
  base: './',
  plugins: [vue()],
})
