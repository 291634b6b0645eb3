'use strict';
/** A "source" is a Context (fixed) or a Runtime (its current context, rotating). */
const { Context } = require('./context');

/** @returns {Context} */
function currentContext(source) {
  if (source instanceof Context) return source;
  if (source && typeof source.context === 'function') return source.context();
  throw new TypeError('source must be an mxtls Context or Runtime');
}

/** Options Node or undici would use to pick a client certificate or trust of their own. */
const FOREIGN_TLS_OPTIONS = ['pfx', 'key', 'cert', 'ca', 'passphrase', 'secureContext', 'crl'];

function refuseForeignTlsOptions(options, who) {
  for (const k of FOREIGN_TLS_OPTIONS) {
    if (options && options[k] !== undefined) throw new TypeError(`${who}: option '${k}' is not allowed: identity and trust come from the mxtls source`);
  }
  if (options && options.rejectUnauthorized === false) throw new TypeError(`${who}: rejectUnauthorized: false is not supported: libmxtls always verifies the server`);
}

module.exports = { currentContext, refuseForeignTlsOptions };
