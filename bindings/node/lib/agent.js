'use strict';
/**
 * mxtls.Agent: an https.Agent whose sockets present the identity libmxtls selects
 * for each host. getName() includes the context (serial and runtime generation) and
 * the identity, so pooled sockets and cached TLS sessions never mix identities or
 * contexts from before a rotation; https.Agent's own session cache (per name) keeps
 * resumption working.
 */
const https = require('node:https');
const { currentContext, refuseForeignTlsOptions } = require('./source');
const { bareHost } = require('./context');

const MARK = ':mxtls:';

class Agent extends https.Agent {
  /**
   * @param {https.AgentOptions & {source: import('./context').Context|import('./runtime').Runtime, identifier?: string}} options
   *   identifier selects an identity before the host does; a request may override it
   *   with its own `mxtlsIdentifier` option (https.request(url, {agent, mxtlsIdentifier})).
   */
  constructor(options = {}) {
    const { source, identifier, ...agentOptions } = options;
    refuseForeignTlsOptions(agentOptions, 'mxtls.Agent');
    currentContext(source); // validates the source (and fails early on a closed one)
    super(agentOptions);
    this.source = source;
    this.identifier = identifier ?? null;
    this._selections = new Map();
    this._serial = 0;
    /** socket -> serial of the context it was made with (not a property: keeps sockets' shape) */
    this._socketSerial = new WeakMap();
  }

  /** The host a connection verifies (and selects for): SNI name, else the host. */
  static targetHost(options) {
    return bareHost(options.servername || options.host || options.hostname || 'localhost');
  }

  _select(options) {
    const ctx = currentContext(this.source);
    if (ctx.serial !== this._serial) {
      this._serial = ctx.serial;
      this._selections.clear(); // names of older contexts never come back
      this._dropIdleOf(ctx.serial);
    }
    const host = Agent.targetHost(options);
    const identifier = options.mxtlsIdentifier ?? this.identifier;
    const index = ctx.select({ host, identifier });
    const suffix = `${MARK}g${ctx.generation}:c${ctx.serial}:${index === null ? 'none' : `i${index}`}:${identifier ?? ''}`;
    return { ctx, index, host, identifier, suffix };
  }

  getName(options = {}) {
    // A socket's own options carry the name it was created under: removeSocket() and
    // the 'free' handler must find it there, whatever the current context is now.
    if (typeof options._agentKey === 'string') return options._agentKey;
    const sel = this._select(options);
    const name = super.getName(options) + sel.suffix;
    // createSocket() calls getName() right before createConnection(): only recent
    // names are ever looked up, so the map stays small for agents reaching many hosts.
    if (this._selections.size >= 256) this._selections.clear();
    this._selections.set(name, sel);
    return name;
  }

  createConnection(options, cb) {
    const key = options._agentKey;
    let sel = key !== undefined ? this._selections.get(key) : undefined;
    if (sel === undefined) {
      sel = this._select(options); // not made by getName (direct call, or a rotation in between)
      if (key !== undefined && !key.endsWith(sel.suffix)) {
        // pooled under a name of an older context: name it again so sessions stay apart
        options = { ...options, _agentKey: super.getName(options) + sel.suffix };
      }
    }
    // The identity was selected for sel.host: refuse to present it anywhere else.
    sel.ctx.checkHost(sel.index, { host: Agent.targetHost(options), identifier: sel.identifier });
    const tlsOptions = {
      ...options,
      secureContext: sel.ctx.secureContextFor(sel.index),
      minVersion: sel.ctx.tlsVersions.min,
      maxVersion: sel.ctx.tlsVersions.max,
      rejectUnauthorized: true,
    };
    const socket = super.createConnection(tlsOptions, cb);
    this._socketSerial.set(socket, sel.ctx.serial);
    return socket;
  }

  /** An idle socket of an older context (before a rotation) is closed, not pooled. */
  keepSocketAlive(socket) {
    const serial = this._socketSerial.get(socket);
    if (serial !== undefined && serial !== currentContext(this.source).serial) return false;
    return super.keepSocketAlive(socket);
  }

  /** Close idle sockets made with another context than `serial`. */
  _dropIdleOf(serial) {
    for (const list of Object.values(this.freeSockets)) {
      for (const s of [...list]) {
        const made = this._socketSerial.get(s);
        if (made !== undefined && made !== serial) s.destroy();
      }
    }
  }
}

module.exports = { Agent };
