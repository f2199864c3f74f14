// @actions/http-client imports undici's ProxyAgent at its top level, for getAgentDispatcher() (fetch through a
// proxy), which neither @actions/cache nor @actions/artifact calls. Bundled, that import evaluates all of
// undici (about 35 ms of CPU) wherever the client loads: every restore and save of a journal.
// rollup.config.js hands the client this module instead: undici's own ProxyAgent, with undici required when
// the first one is constructed.
'use strict';

exports.ProxyAgent = class ProxyAgent {
  constructor(...args) {
    const { ProxyAgent: UndiciProxyAgent } = require('undici');
    // A constructor that returns an object makes `new` give that object: the caller holds undici's agent.
    return new UndiciProxyAgent(...args);
  }
};
