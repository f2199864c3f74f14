// Node builtins that take milliseconds to load and that many runs of the CLI never use. `child_process`
// brings net, dgram and the streams with it (about 8 ms of every start); a resume that replays every call,
// `validate` and `runs ls` start no process. Each is loaded when first asked for (Node keeps it after that).

export function childProcess(): typeof import('node:child_process') {
  return process.getBuiltinModule('node:child_process');
}

export function streamPromises(): typeof import('node:stream/promises') {
  return process.getBuiltinModule('node:stream/promises');
}
