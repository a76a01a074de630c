/** `SCONS_REMOTE_MODE=local` (any letter case) runs steps on this machine; anything else, or nothing, runs them remotely. */
export function isLocalMode(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SCONS_REMOTE_MODE?.toLowerCase() === 'local';
}
