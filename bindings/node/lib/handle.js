'use strict';
/**
 * Ownership of C objects: a NativeHandle holds one owned pointer and its _free
 * function. close() frees it at once; otherwise a FinalizationRegistry frees it when
 * the JS object is collected. Objects that hand out views of C memory copy what they
 * hand out (certificates, strings), so nothing in JS points into freed memory.
 */
const { native } = require('./ffi');
const { make } = require('./errors');

/** Handles alive per release function, for leak tests and diagnostics. */
const live = Object.create(null);

const registry = new FinalizationRegistry(({ ptr, free }) => {
  live[free]--;
  native().fn[free](ptr);
});

class NativeHandle {
  /**
   * @param {bigint} ptr owned pointer (non-NULL)
   * @param {string} free name of the C function releasing it
   * @param {string} what for messages
   */
  constructor(ptr, free, what) {
    this._ptr = ptr;
    this._free = free;
    this._what = what;
    registry.register(this, { ptr, free }, this);
    live[free] = (live[free] || 0) + 1;
  }

  /** The pointer, or a `usage` MxtlsError once closed. */
  get ptr() {
    if (this._ptr === null) throw make('usage', `${this._what} is closed`);
    return this._ptr;
  }

  get closed() {
    return this._ptr === null;
  }

  close() {
    if (this._ptr === null) return;
    registry.unregister(this);
    const p = this._ptr;
    this._ptr = null;
    live[this._free]--;
    native().fn[this._free](p);
  }
}

/** size_t from koffi (Number, or BigInt past 2^53) as a Number for counts and indexes. */
function count(v) {
  return typeof v === 'bigint' ? Number(v) : v;
}

/** How many C objects this binding holds now, by kind: {ctx, pkcs12, trust, config, runtime}. */
function liveHandles() {
  const out = {};
  for (const [free, n] of Object.entries(live)) out[free.replace(/^mxtls_|_free$/g, '')] = n;
  return out;
}

module.exports = { NativeHandle, count, liveHandles };
