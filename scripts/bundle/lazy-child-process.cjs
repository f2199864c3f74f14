// commander requires child_process at its top level, for executable subcommands (`program.command(name,
// description)` running `<program>-<name>`), which reprise does not declare. child_process brings net, dgram
// and the streams with it: about 8 ms of every start of the CLI. rollup.config.js hands commander this
// module instead, which loads child_process when commander first reads one of its functions.
'use strict';

module.exports = new Proxy(
  {},
  { get: (_target, name) => process.getBuiltinModule('node:child_process')[name] },
);
