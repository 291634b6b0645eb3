'use strict';
/**
 * Runtime: the current Context built from the environment, replaced atomically when
 * the sources change (watch) or on reload(). Events come through libmxtls's queue
 * mode (the library's own mxtls_event_queue is the callback): no JS function is ever
 * called from a C thread, which would block on Node's event loop.
 *
 * Events are drained with mxtls_runtime_next_event() after every context()/selection
 * call (on the next turn of the loop) and, while listeners exist, on an unref'd
 * interval timer. (Node cannot poll
 * the runtime's event descriptor without a native addon: `eventFd` is informative.)
 */
const { EventEmitter } = require('node:events');
const { native } = require('./ffi');
const { errorBuffer, fromBuffer } = require('./errors');
const { NativeHandle } = require('./handle');
const { Context } = require('./context');
const { cStringArray, envStrings } = require('./cstrings');

const MESSAGE_BYTES = 1024;

/** uint64 from koffi as a Number when exact, else a BigInt. */
function u64(v) {
  if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  return v;
}

class Runtime extends EventEmitter {
  /**
   * @param {object} [options]
   * @param {Record<string, string|undefined>|null} [options.env] variables to read
   *   (copied; default: a snapshot of process.env). null: the live C environment,
   *   read again on every reload.
   * @param {boolean} [options.watch] reload when the source files change
   * @param {number} [options.pollInterval] ms between event drains while listeners exist (default 200)
   */
  constructor({ env = process.env, watch = false, pollInterval = 200 } = {}) {
    super();
    const { fn, eventQueue } = native();
    const err = errorBuffer();
    let ptr;
    if (env === null) {
      ptr = fn.mxtls_runtime_new(null, eventQueue, null, err);
    } else {
      const envp = cStringArray(envStrings(env));
      try {
        ptr = fn.mxtls_runtime_new(envp.array, eventQueue, null, err);
      } finally {
        envp.wipe();
      }
    }
    if (!ptr) throw fromBuffer(err);
    this._h = new NativeHandle(ptr, 'mxtls_runtime_free', 'runtime');
    this._ctx = null;
    this._timer = null;
    this._pollInterval = pollInterval;
    this._drainScheduled = false;
    this._kind = Buffer.alloc(4);
    this._msg = Buffer.alloc(MESSAGE_BYTES);
    this.on('newListener', () => setImmediate(() => this._updateTimer()));
    this.on('removeListener', () => this._updateTimer());
    if (watch) {
      if (fn.mxtls_runtime_watch(ptr, 0, err) !== 0) {
        this.close();
        throw fromBuffer(err);
      }
    }
  }

  /**
   * How many contexts have been installed (1 after start-up). A Number (exact up to
   * 2^53 installs), a BigInt only beyond.
   * @type {number|bigint}
   */
  get generation() {
    return u64(native().fn.mxtls_runtime_generation(this._h.ptr));
  }

  /** The runtime's event descriptor (readable while events wait); see the note above. */
  get eventFd() {
    return native().fn.mxtls_runtime_event_fd(this._h.ptr);
  }

  /**
   * The current Context (the same object until the next rotation). A Context taken
   * before a rotation stays valid (it holds its own reference) until closed or collected.
   * @returns {Context}
   */
  context() {
    this._drainSoon();
    const { fn } = native();
    const rt = this._h.ptr;
    let gen = u64(fn.mxtls_runtime_generation(rt));
    if (this._ctx !== null && this._ctx.generation === gen) return this._ctx;
    for (;;) {
      const ptr = fn.mxtls_runtime_ctx(rt);
      const after = u64(fn.mxtls_runtime_generation(rt));
      if (after === gen) {
        this._ctx = new Context(ptr, { generation: gen });
        return this._ctx;
      }
      fn.mxtls_ctx_free(ptr); // swapped while we took it: take the newer one
      gen = after;
    }
  }

  /** Build a new context from the same sources now; throws MxtlsError and keeps the current one on failure. */
  reload() {
    const err = errorBuffer();
    const rc = native().fn.mxtls_runtime_reload(this._h.ptr, err);
    this.drainEvents();
    if (rc !== 0) throw fromBuffer(err);
    return this;
  }

  /** Same as Context#select on the current context. */
  select(target) {
    return this.context().select(target);
  }

  secureContext(target) {
    return this.context().secureContext(target);
  }

  tlsOptions(target) {
    return this.context().tlsOptions(target);
  }

  /**
   * Take every waiting event and emit it as 'event' ({kind, message}) and as its own
   * name ('loaded', 'reloaded', 'reload_failed', 'unchanged', 'expiring', 'expired',
   * 'warning') with the message. Returns how many were taken.
   */
  drainEvents() {
    if (this._h.closed) return 0;
    const { fn } = native();
    let n = 0;
    while (fn.mxtls_runtime_next_event(this._h.ptr, this._kind, this._msg, this._msg.length) === 1) {
      n++;
      const end = this._msg.indexOf(0);
      const message = this._msg.toString('utf8', 0, end < 0 ? this._msg.length : end);
      const kind = fn.mxtls_event_name(this._kind.readInt32LE(0));
      this.emit('event', { kind, message });
      this.emit(kind, message);
    }
    return n;
  }

  /**
   * Drain on the next turn of the event loop, at most once per turn: context() is on
   * every request's path (agents call it in getName), and listeners must not run
   * inside https.request() or undici's dispatch.
   */
  _drainSoon() {
    if (this._drainScheduled || !this._hasListeners()) return; // else events wait in C for a listener
    this._drainScheduled = true;
    setImmediate(() => {
      this._drainScheduled = false;
      this.drainEvents();
    }).unref();
  }

  _hasListeners() {
    return this.eventNames().some((e) => e !== 'newListener' && e !== 'removeListener' && this.listenerCount(e) > 0);
  }

  _updateTimer() {
    const want = !this._h.closed && this._hasListeners();
    if (want && this._timer === null) {
      this._timer = setInterval(() => this.drainEvents(), this._pollInterval);
      this._timer.unref();
      this.drainEvents();
    } else if (!want && this._timer !== null) {
      clearInterval(this._timer);
      this._timer = null;
    }
  }

  /** Stop watching and free the runtime. Contexts already handed out stay valid. */
  close() {
    if (this._h.closed) return;
    this.drainEvents();
    if (this._timer !== null) clearInterval(this._timer);
    this._timer = null;
    this._h.close();
    this._ctx = null;
  }
}

module.exports = { Runtime };
