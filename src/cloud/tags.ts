/** Tags that mark an instance as ours, so `remote-exec down --all` finds every one of them in a region. */
export const TOOL_TAG = 'scons-remote:tool';
export const PROJECT_TAG = 'scons-remote:project';
export const PROFILE_TAG = 'scons-remote:profile';
export const TOOL_NAME = 'scons-remote';
