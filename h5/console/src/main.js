import { createApp } from 'vue'
import { createPinia } from 'pinia'
import { ElLoading } from 'element-plus'
import 'element-plus/es/components/loading/style/css'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import './console.css'
import App from './App.vue'
import { router } from './router'
import { client } from './api'
import { useAuthStore } from '../../src/stores/auth'
import { showError } from './composables/feedback'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(router)
app.use(ElLoading) // the v-loading directive

// A 401 anywhere: forget the session and go to the login page, keeping where the user was.
let redirecting = false
client.onUnauthorized(() => {
  useAuthStore(pinia).clear()
  if (redirecting) return
  redirecting = true
  const current = router.currentRoute.value
  const query = current.meta.public ? {} : { redirect: current.fullPath }
  showError({ message: '登录已失效，请重新登录' })
  router.replace({ path: '/login', query }).finally(() => {
    redirecting = false
  })
})

app.config.errorHandler = (err) => {
  console.error(err)
  showError({ message: '页面出错了，请刷新后重试' })
}

app.mount('#app')
