/** The folder, beside build.ninja or a remote.json, where scons-remote keeps profiles, locks and instance state. */
export const STATE_DIR = '.scons-remote';
