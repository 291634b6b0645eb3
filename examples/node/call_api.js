#!/usr/bin/env node
'use strict';
/**
 * Call an HTTPS API with the client identity and authorities the platform puts in the
 * environment (CLIENT_CERTIFICATES, CERTIFICATE_AUTHORITIES, MXTLS_CLIENT_CERTIFICATE_FILE
 * + MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE, ...; see the libmxtls README, "Environment").
 *
 *   cd bindings/node && npm install
 *   MXTLS_LIBRARY=build/libmxtls.so.0 node examples/node/call_api.js https://api.example.com/
 *
 * Prints the body and exits 0 on a 2xx answer. Otherwise prints
 * "mxtls: <stable error name>: <message>" (library errors) or "http: <status>" on
 * stderr and exits non-zero. MXTLS_IDENTIFIER selects an identity by logical name.
 */
const mxtls = require('../../bindings/node');

async function main(argv) {
  if (argv.length !== 1) {
    process.stderr.write('usage: call_api.js URL\n');
    return 2;
  }
  // A Runtime, not just fromEnv(): a long-lived service would keep it and get rotations.
  const runtime = new mxtls.Runtime({ env: process.env, watch: false });
  runtime.on('warning', (message) => process.stderr.write(`mxtls: warning: ${message}\n`));
  const dispatcher = mxtls.dispatcher(runtime, { identifier: process.env.MXTLS_IDENTIFIER });
  try {
    const res = await fetch(argv[0], { dispatcher, redirect: 'follow' });
    const body = await res.text();
    process.stdout.write(body.endsWith('\n') || body === '' ? body : `${body}\n`);
    if (res.status < 200 || res.status > 299) {
      process.stderr.write(`http: ${res.status}\n`);
      return 1;
    }
    return 0;
  } finally {
    await dispatcher.close();
    runtime.close();
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  const cause = e && e.cause ? e.cause : e; // fetch wraps connection errors in "fetch failed"
  if (cause instanceof mxtls.MxtlsError) {
    process.stderr.write(`mxtls: ${cause.code}: ${cause.message}\n`);
    process.exitCode = 3;
  } else {
    process.stderr.write(`error: ${cause && cause.code ? `${cause.code}: ` : ''}${cause && cause.message ? cause.message : cause}\n`);
    process.exitCode = 4;
  }
});
