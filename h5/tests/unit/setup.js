import { afterAll } from 'vitest'

// Vant's nav bar measures itself 100, 200 and 300 ms after it mounts (use-placeholder → use-height,
// timers it never clears). Let those run while this file's DOM still exists: one that fires after
// the environment is torn down throws "window is not defined" into whichever file runs next.
// (The timer is the real one: a file may have left fake timers installed.)
const realSetTimeout = globalThis.setTimeout
afterAll(() => new Promise((resolve) => realSetTimeout(resolve, 400)))
