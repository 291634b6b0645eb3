'use strict';
/**
 * mxtls.dispatcher(source): an undici Dispatcher for fetch() whose connections present
 * the identity selected for each origin's host. One undici Agent per context: after a
 * rotation new requests go to a new Agent (new connections, new material) and the old
 * one closes once its requests are done. Per context, one connector per identity, so
 * undici's TLS session cache never serves one identity's session to another.
 */
const { currentContext, refuseForeignTlsOptions } = require('./source');
const { bareHost } = require('./context');

// undici takes ~100 ms to load: only when a dispatcher is made (not for Agent users).
let undici = null;
let MxtlsDispatcherClass = null;

function defineClass() {
  undici = require('undici');
  class MxtlsDispatcher extends undici.Dispatcher {
    /**
     * @param {import('./context').Context|import('./runtime').Runtime} source
     * @param {{identifier?: string, connect?: object} & undici.Agent.Options} [options]
     */
    constructor(source, options = {}) {
      super();
      const { identifier, connect = {}, ...agentOptions } = options;
      refuseForeignTlsOptions(connect, 'mxtls.dispatcher connect');
      if (typeof connect === 'function') throw new TypeError('mxtls.dispatcher: connect must be options, not a function');
      currentContext(source);
      this.source = source;
      this.identifier = identifier ?? null;
      this._connectOptions = connect;
      this._agentOptions = agentOptions;
      this._agent = null;
      this._serial = 0;
      this._closed = false;
    }

    _connectorFor(ctx) {
      const connectors = new Map();
      const identifier = this.identifier;
      const base = this._connectOptions;
      return (opts, callback) => {
        const host = bareHost(opts.servername || opts.hostname);
        let index;
        try {
          index = ctx.select({ host, identifier });
          ctx.checkHost(index, { host: bareHost(opts.servername || opts.hostname), identifier });
        } catch (e) {
          callback(e, null);
          return;
        }
        let connector = connectors.get(index);
        if (connector === undefined) {
          connector = undici.buildConnector({
            ...base,
            secureContext: ctx.secureContextFor(index),
            minVersion: ctx.tlsVersions.min,
            maxVersion: ctx.tlsVersions.max,
            rejectUnauthorized: true,
          });
          connectors.set(index, connector);
        }
        return connector(opts, callback);
      };
    }

    /** The undici Agent of the current context. */
    _current() {
      const ctx = currentContext(this.source);
      if (ctx.serial !== this._serial) {
        const old = this._agent;
        this._serial = ctx.serial;
        this._agent = new undici.Agent({ ...this._agentOptions, connect: this._connectorFor(ctx) });
        if (old !== null) old.close().catch(() => {});
      }
      return this._agent;
    }

    dispatch(opts, handler) {
      if (this._closed) throw new undici.errors.ClientClosedError();
      return this._current().dispatch(opts, handler);
    }

    close(callback) {
      this._closed = true;
      const done = this._agent !== null ? this._agent.close() : Promise.resolve();
      if (typeof callback !== 'function') return done;
      done.then(() => callback(null), callback);
    }

    destroy(err, callback) {
      if (typeof err === 'function') [err, callback] = [null, err];
      this._closed = true;
      const done = this._agent !== null ? this._agent.destroy(err ?? null) : Promise.resolve();
      if (typeof callback !== 'function') return done;
      done.then(() => callback(null), callback);
    }
  }
  return MxtlsDispatcher;
}

/**
 * @param {import('./context').Context|import('./runtime').Runtime} source
 * @param {{identifier?: string}} [options]
 */
function dispatcher(source, options) {
  if (MxtlsDispatcherClass === null) MxtlsDispatcherClass = defineClass();
  return new MxtlsDispatcherClass(source, options);
}

/** The dispatcher class (loads undici on first access). */
module.exports = {
  dispatcher,
  get MxtlsDispatcher() {
    if (MxtlsDispatcherClass === null) MxtlsDispatcherClass = defineClass();
    return MxtlsDispatcherClass;
  },
};
