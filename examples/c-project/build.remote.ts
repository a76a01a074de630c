// A small C program built on an EC2 instance: each object compiled remotely, then linked remotely.
// gcc's depfiles tell ninja which headers each object read; remote-gen writes the
// compile_commands.json an editor (clangd) uses. Connection settings come from REMOTE_* (README.md).
import { EnvironmentRemote } from 'scons-remote';

const env = new EnvironmentRemote({ ENV: process.env });

env.connectionInitialize(
  { region: process.env.REMOTE_REGION ?? 'us-west-2' },
  {
    ImageId: process.env.REMOTE_IMAGE_ID ?? 'ami-0123456789abcdef0',
    InstanceType: 'c5.large',
    KeyName: process.env.REMOTE_KEY_NAME ?? 'my-key',
    MinCount: 1,
    MaxCount: 1,
    InstanceInitiatedShutdownBehavior: 'terminate',
  },
  {
    username: process.env.REMOTE_USER ?? 'ubuntu',
    privateKeyPath: process.env.REMOTE_KEY_PATH ?? 'keys/my-key.pem',
  },
);

// A remote command line is `cmd cmdArgs… sources… targets…`. The include folder is a source, so it
// is uploaded; the value '-I' before it makes it gcc's include path, and the value '-o' before the
// target names the object. -MMD writes obj/NAME.d beside obj/NAME.o.
const compile = env.actionRemote({
  cmd: 'gcc',
  cmdArgs: ['-std=c11', '-O2', '-Wall', '-MMD', '-c'],
});
const objects = ['main', 'shapes', 'table'].flatMap((name) =>
  env.commandRemote({
    target: `obj/${name}.o`,
    source: [env.value('-I'), 'include', `src/${name}.c`, env.value('-o')],
    depfile: `obj/${name}.d`,
    deps: 'gcc',
    action: compile,
  }),
);

env.commandRemote({
  target: 'bin/shapes',
  source: [...objects, env.value('-o')],
  action: env.actionRemote({ cmd: 'gcc' }),
});

env.default('bin/shapes');
