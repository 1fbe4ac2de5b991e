import { createApp } from 'vue'
import { createPinia } from 'pinia'
import { showToast } from 'vant'
// styles of the Vant functions called from code (components bring their own)
import 'vant/es/toast/style'
import 'vant/es/dialog/style'
import 'vant/es/notify/style'
import 'vant/es/image-preview/style'
import './styles/app.css'
import App from './App.vue'
import { router } from './router'
import { client } from './api/client'
import { useAuthStore } from './stores/auth'
import { useLiveStore } from './stores/live'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(router)

// A 401 anywhere: forget the session and go back to the login page, keeping where the user was.
let redirecting = false
function sessionEnded() {
  const auth = useAuthStore(pinia)
  auth.clear()
  useLiveStore(pinia).disconnect()
  if (redirecting) return
  redirecting = true
  const current = router.currentRoute.value
  const query = current.meta.public || current.path === '/' ? {} : { redirect: current.fullPath }
  showToast('登录已失效，请重新登录')
  router.replace({ path: '/login', query }).finally(() => {
    redirecting = false
  })
}
client.onUnauthorized(sessionEnded)
app.provide('sessionEnded', sessionEnded)

app.config.errorHandler = (err) => {
  console.error(err)
  showToast('页面出错了，请返回重试')
}

app.mount('#app')
