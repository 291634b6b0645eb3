// Type declarations of the mxtls Node.js binding (CommonJS).
import type * as https from 'node:https';
import type * as tls from 'node:tls';
import type { EventEmitter } from 'node:events';

/** Error from libmxtls: stable code name, C code number, and a message without secrets. */
export class MxtlsError extends Error {
  /** 'library': not found, unknown ABI, missing function. */
  static readonly LIBRARY: 'library';
  readonly name: 'MxtlsError';
  /** Stable lower-case name: 'wrong_password', 'corrupt', 'not_pinned', 'config', 'expired', ..., or 'library'. */
  readonly code: string;
  /** The C mxtls_code (MXTLS_ERR_*), -1 for 'library'. */
  readonly errno: number;
}

export interface LibraryInfo { path: string; version: string; abi: number; mbedtls: string }
/** Load libmxtls now (MXTLS_LIBRARY, installed prefixes, then the system loader). */
export function load(): LibraryInfo;
/** A constant of mxtls.h by name, e.g. constant('MXTLS_MAX_PASSWORD_BYTES'). */
export function constant(name: string): number;
/** The C prototypes the binding declares (exactly as in mxtls.h). */
export const DECLARATIONS: readonly string[];

export class Certificate {
  readonly der: Buffer;
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-256 of the DER, lower-case hex. */
  readonly sha256: string;
  readonly isCA: boolean;
  toPEM(): string;
}

export interface Warning { kind: string; message: string }

export class Identity {
  readonly certificate: Certificate;
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly sha256: string;
  /** Issuers of the leaf, leaf-to-root. */
  readonly chain: Certificate[];
  readonly keyType: 'rsa' | 'ec' | 'unknown';
  readonly keyBits: number;
  /** 'P-256', 'P-384', 'P-521' for EC keys, else null. */
  readonly curve: string | null;
  readonly friendlyName: string | null;
}

export class Pkcs12 {
  readonly identities: Identity[];
  readonly extraCertificates: Certificate[];
  readonly macAlgorithm: string;
  readonly encryptions: string[];
  readonly warnings: Warning[];
  readonly closed: boolean;
  /** Free now and wipe the key material (else when collected). */
  close(): void;
}

/** Load a PKCS#12 container from bytes or a file path. */
export function loadPkcs12(source: Buffer | Uint8Array | string, password?: string | Buffer | null, options?: { requireMac?: boolean }): Pkcs12;
/** Read a password file by the runtime's rule; .fill(0) the Buffer when done. */
export function readPasswordFile(path: string): Buffer;

/** A private key read into a Bundle: a description; the key itself stays in libmxtls. */
export class Key {
  /** Its index in the bundle (for Bundle#chain, Pkcs12Writer#addKey). */
  readonly index: number;
  readonly kind: 'rsa' | 'ec' | 'unknown';
  readonly bits: number;
  /** 'P-256', 'P-384', 'P-521' for EC keys, else null. */
  readonly curve: string | null;
  /** How it was stored: 'PKCS#8', 'encrypted PKCS#8 (PBES2 ...)', 'PKCS#1, legacy PEM encryption AES-256-CBC', 'JKS, ...'. */
  readonly form: string;
  /** Where it was read: 'key.pem, line 1', 'store.jks, alias "client"'. */
  readonly source: string;
  /** The keystore entry's alias, or null for other inputs. */
  readonly alias: string | null;
  /** Whether the certificate (a Certificate, or the DER/PEM of one) holds this key's public key. Throws 'usage' once the bundle is closed. */
  matches(cert: Certificate | Buffer | Uint8Array): boolean;
}

export interface BundleChain {
  /** Leaf (the certificate holding the key) to root, each checked by name and signature. */
  certificates: Certificate[];
  /** true: ends in a self-signed certificate; false: the last one's issuer is not in the bundle. */
  complete: boolean;
}

/** Certificates and keys from the files a user has: PEM/DER certificates, .p7b, keys in any usual form, JKS/JCEKS. */
export class Bundle {
  constructor();
  /** Add one input (string: a file path; Buffer: the content); password opens encrypted keys. */
  add(source: Buffer | Uint8Array | string, password?: string | Buffer | null, options?: { name?: string }): this;
  /** Add a JKS/JCEKS keystore; keyPassword null/undefined: the store password. */
  addKeystore(source: Buffer | Uint8Array | string, storePassword?: string | Buffer | null, keyPassword?: string | Buffer | null, options?: { name?: string }): this;
  /** Distinct certificates in the order read (copied on every access). */
  readonly certificates: Certificate[];
  readonly keys: Key[];
  /** 'skipped_entry', 'no_mac'. */
  readonly warnings: Warning[];
  /** Throws MxtlsError 'key_mismatch' (no certificate holds the key), 'no_certificate', 'usage'. */
  chain(keyIndex?: number): BundleChain;
  readonly closed: boolean;
  /** Free now and wipe the keys (else when collected). */
  close(): void;
}

/** modern: AES-256-CBC + HMAC-SHA256 (default); compat: 3DES + HMAC-SHA1 for old readers; pbmac1: RFC 9579 MAC (OpenSSL 3.4+, not Node 20). */
export type Pkcs12Profile = 'modern' | 'compat' | 'pbmac1';

export class Pkcs12Writer {
  /** iterations: of every key derivation, from 2048 (the default) to MXTLS_MAX_KDF_ITERATIONS. */
  constructor(options?: { profile?: Pkcs12Profile; iterations?: number });
  readonly profile: Pkcs12Profile;
  setIterations(iterations: number): this;
  /** Identity index of a loaded container (friendlyName null: keep its own). */
  addIdentity(p12: Pkcs12, index?: number, options?: { friendlyName?: string | null }): this;
  /** Key keyIndex of a bundle with its chain (as bundle.chain() finds it). */
  addKey(bundle: Bundle, keyIndex?: number, options?: { friendlyName?: string | null }): this;
  /** A certificate of no identity (an extra CA): a Certificate or its DER. */
  addCertificate(cert: Certificate | Buffer | Uint8Array): this;
  /** The container's DER; fresh salts on every call. Throws 'no_key' with no identity added. */
  finish(password: string | Buffer | null): Buffer;
  readonly closed: boolean;
  /** Free now and wipe the keys (else when collected). */
  close(): void;
}

export interface PackCommon {
  /** The output's password; an empty one is refused unless allowEmptyPassword. */
  password: string | Buffer | null;
  profile?: Pkcs12Profile;
  iterations?: number;
  friendlyName?: string | null;
  allowEmptyPassword?: boolean;
}
export type PackSource = string | Buffer | Uint8Array;
/** Certificates (PEM, DER, .p7b; paths or content) and a key in any usual form. */
export interface PackFromFiles extends PackCommon { cert: PackSource | PackSource[]; key: PackSource; chain?: PackSource | PackSource[]; keyPassword?: string | Buffer | null }
/** A key entry of a JKS/JCEKS keystore (alias: ASCII case ignored; needed with several keys). */
export interface PackFromKeystore extends PackCommon { keystore: PackSource; storePassword?: string | Buffer | null; keyPassword?: string | Buffer | null; alias?: string; chain?: PackSource | PackSource[] }
/** Every identity of a PKCS#12 container, re-encrypted (e.g. a legacy RC2 file). */
export interface PackFromPkcs12 extends PackCommon { from: PackSource; fromPassword?: string | Buffer | null }
/**
 * `mxtls pack` in one call: finds the key's chain, writes the container, loads it back
 * and checks the same leaf and chain (else MxtlsError 'internal'), returns its DER.
 */
export function pack(options: PackFromFiles | PackFromKeystore | PackFromPkcs12): Buffer;

export class Trust {
  /** A path or 'memory'. */
  readonly source: string;
  readonly count: number;
  readonly warnings: Warning[];
  readonly certificates: Certificate[];
  close(): void;
}
/** Authorities from content (Buffer: PEM, base64 of PEM, or one DER) or a file path (string). */
export function loadTrust(source: Buffer | Uint8Array | string): Trust;
/** The platform's roots as OpenSSL-based tools find them. */
export function systemTrust(): Trust;

export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

export class Config {
  constructor();
  addIdentity(p12: Pkcs12, index?: number, pins?: string[]): this;
  addNoIdentity(pins: string[]): this;
  addTrust(trust: Trust): this;
  systemRoots(enabled: boolean): this;
  tlsVersions(min: TlsVersion, max?: TlsVersion): this;
  readonly warnings: string[];
  build(): Context;
  close(): void;
}

/** A Context built from environment variables (default process.env). */
export function fromEnv(env?: Record<string, string | undefined>): Context & { configWarnings: string[] };

export interface Target { host?: string; identifier?: string }

export interface ContextIdentity { index: number; certificate: Certificate; subject: string; pins: string[] }

export interface MxtlsTlsOptions {
  secureContext: tls.SecureContext;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
  servername?: string;
  checkServerIdentity: (hostname: string, cert: tls.PeerCertificate) => Error | undefined;
}

export class Context {
  /** Unique per Context object in this process. */
  readonly serial: number;
  /** Runtime generation it was installed as; 0 outside a Runtime. */
  readonly generation: number | bigint;
  readonly identities: ContextIdentity[];
  readonly warnings: string[];
  readonly trustCount: number;
  readonly systemRootCount: number;
  readonly tlsVersions: { min: TlsVersion; max: TlsVersion };
  readonly closed: boolean;
  /** Identity index for the request, or null for "no client certificate". */
  select(target?: Target): number | null;
  /** Throws MxtlsError 'not_pinned' unless selecting for target gives index. */
  checkHost(index: number | null, target: { host: string; identifier?: string }): void;
  trustCertificates(): Certificate[];
  /** The trust as PEM for Node's `ca` (system roots included when the context has them). */
  trustPem(): string;
  /** Cached tls.SecureContext of identity index (null: none). */
  secureContextFor(index: number | null): tls.SecureContext;
  secureContext(target?: Target): tls.SecureContext;
  /** Options for tls.connect() / https.request(). */
  tlsOptions(target: { host: string; identifier?: string }): MxtlsTlsOptions;
  close(): void;
}

export interface RuntimeEvent { kind: 'loaded' | 'reloaded' | 'reload_failed' | 'unchanged' | 'expiring' | 'expired' | 'warning' | string; message: string }

export class Runtime extends EventEmitter {
  /** env: variables (copied; default a snapshot of process.env), or null for the live C environment. */
  constructor(options?: { env?: Record<string, string | undefined> | null; watch?: boolean; pollInterval?: number });
  /** Contexts installed so far (1 after start-up): a Number, a BigInt only past 2^53. */
  readonly generation: number | bigint;
  /** The runtime's event descriptor (Node cannot poll it without an addon). */
  readonly eventFd: number;
  context(): Context;
  reload(): this;
  select(target?: Target): number | null;
  secureContext(target?: Target): tls.SecureContext;
  tlsOptions(target: { host: string; identifier?: string }): MxtlsTlsOptions;
  drainEvents(): number;
  close(): void;
  on(event: 'event', listener: (e: RuntimeEvent) => void): this;
  on(event: 'loaded' | 'reloaded' | 'reload_failed' | 'unchanged' | 'expiring' | 'expired' | 'warning', listener: (message: string) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}

export type Source = Context | Runtime;

export interface AgentOptions extends Omit<https.AgentOptions, 'pfx' | 'key' | 'cert' | 'ca' | 'passphrase' | 'secureContext' | 'crl'> {
  source: Source;
  /** Logical identifier selecting an identity before the host does. */
  identifier?: string;
}

declare module 'node:https' {
  interface RequestOptions {
    /** With an mxtls.Agent: a logical identifier selecting the identity for this request. */
    mxtlsIdentifier?: string;
  }
}

export class Agent extends https.Agent {
  constructor(options: AgentOptions);
  readonly source: Source;
  readonly identifier: string | null;
}

/** An undici Dispatcher (undici 6) for fetch(url, {dispatcher}). */
export interface MxtlsDispatcher {
  readonly source: Source;
  readonly identifier: string | null;
  dispatch(options: any, handler: any): boolean;
  close(): Promise<void>;
  close(callback: (err: Error | null) => void): void;
  destroy(err?: Error | null): Promise<void>;
}
export const MxtlsDispatcher: new (source: Source, options?: { identifier?: string; connect?: object } & Record<string, unknown>) => MxtlsDispatcher;
export function dispatcher(source: Source, options?: { identifier?: string; connect?: object } & Record<string, unknown>): MxtlsDispatcher;
