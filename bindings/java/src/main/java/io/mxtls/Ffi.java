package io.mxtls;

import com.sun.jna.Pointer;

/**
 * Every C function of {@link Declarations#DECLARATIONS}, declared once as a JNA direct-mapped
 * native method, in the same order. Bound by {@link NativeLoader} (never by class
 * initialisation: the library is found by the binding's own lookup order).
 *
 * <p>Type mapping (LP64 only, checked at load): {@code size_t}, {@code int64_t},
 * {@code uint64_t}, {@code long} → {@code long}; {@code int}, {@code unsigned} → {@code int};
 * handles, {@code void *}, function pointers and buffers holding secrets → {@link Pointer}
 * (memory of our own that we wipe); {@code const char *} arguments that hold no secret
 * and static or borrowed {@code const char *} results → {@code String}; small out-parameters
 * → primitive arrays. {@code char *} results the caller must free stay {@link Pointer}.
 * Text that may be non-ASCII UTF-8 from users' files (keystore aliases, friendly names, the
 * bundle's input names, sources and warnings) is a {@link Pointer} both ways, converted with
 * explicit UTF-8 ({@link Mem#utf8(String)}, {@link Mem#utf8(Pointer)}): JNA's String follows
 * the platform charset, US-ASCII under the C locale on Java 17.
 */
final class Ffi {
  private Ffi() {}

  static native String mxtls_version();
  static native int mxtls_abi_version();
  static native int mxtls_constant(String name, long[] value);
  static native String mxtls_error_name(int code);
  static native String mxtls_strerror(int code);
  static native int mxtls_error_code(Pointer err);
  static native String mxtls_error_message(Pointer err);
  static native long mxtls_error_size();
  static native Pointer mxtls_cert_der(Pointer cert, long[] len);
  static native int mxtls_cert_subject(Pointer cert, byte[] buf, long size);
  static native int mxtls_cert_issuer(Pointer cert, byte[] buf, long size);
  static native long mxtls_cert_not_before(Pointer cert);
  static native long mxtls_cert_not_after(Pointer cert);
  static native Pointer mxtls_cert_sha256(Pointer cert);
  static native int mxtls_cert_is_ca(Pointer cert);
  static native Pointer mxtls_identity_leaf(Pointer id);
  static native long mxtls_identity_chain_count(Pointer id);
  static native Pointer mxtls_identity_chain_cert(Pointer id, long i);
  static native String mxtls_identity_friendly_name(Pointer id);
  static native int mxtls_identity_key_type(Pointer id);
  static native long mxtls_identity_key_bits(Pointer id);
  static native String mxtls_identity_key_curve(Pointer id);
  static native Pointer mxtls_pkcs12_load_mem(Pointer data, long len, Pointer password, int flags, Pointer err);
  static native Pointer mxtls_pkcs12_load_file(String path, Pointer password, int flags, Pointer err);
  static native Pointer mxtls_pkcs12_load_mem_n(Pointer data, long len, Pointer password, long passwordLen, int flags, Pointer err);
  static native Pointer mxtls_pkcs12_load_file_n(String path, Pointer password, long passwordLen, int flags, Pointer err);
  static native void mxtls_pkcs12_free(Pointer p12);
  static native Pointer mxtls_password_read_file(String path, Pointer err);
  static native void mxtls_password_free(Pointer password);
  static native long mxtls_pkcs12_identity_count(Pointer p12);
  static native Pointer mxtls_pkcs12_identity(Pointer p12, long i);
  static native long mxtls_pkcs12_extra_cert_count(Pointer p12);
  static native Pointer mxtls_pkcs12_extra_cert(Pointer p12, long i);
  static native String mxtls_pkcs12_mac_algorithm(Pointer p12);
  static native long mxtls_pkcs12_encryption_count(Pointer p12);
  static native String mxtls_pkcs12_encryption(Pointer p12, long i);
  static native String mxtls_warning_name(int kind);
  static native long mxtls_pkcs12_warning_count(Pointer p12);
  static native int mxtls_pkcs12_warning_kind(Pointer p12, long i);
  static native String mxtls_pkcs12_warning(Pointer p12, long i);
  static native Pointer mxtls_trust_load_mem(Pointer data, long len, Pointer err);
  static native Pointer mxtls_trust_load_file(String path, Pointer err);
  static native Pointer mxtls_trust_load_system(Pointer err);
  static native void mxtls_trust_free(Pointer trust);
  static native String mxtls_trust_source(Pointer trust);
  static native long mxtls_trust_cert_count(Pointer trust);
  static native Pointer mxtls_trust_cert(Pointer trust, long i);
  static native long mxtls_trust_warning_count(Pointer trust);
  static native int mxtls_trust_warning_kind(Pointer trust, long i);
  static native String mxtls_trust_warning(Pointer trust, long i);
  static native Pointer mxtls_config_new();
  static native void mxtls_config_free(Pointer cfg);
  static native int mxtls_config_add_identity(Pointer cfg, Pointer p12, long i, Pointer err);
  static native int mxtls_config_add_identity_pinned(Pointer cfg, Pointer p12, long i, Pointer pins, long npins, Pointer err);
  static native int mxtls_config_add_no_identity(Pointer cfg, Pointer pins, long npins, Pointer err);
  static native int mxtls_config_add_trust(Pointer cfg, Pointer trust, Pointer err);
  static native Pointer mxtls_config_from_env(Pointer envp, Pointer err);
  static native long mxtls_config_warning_count(Pointer cfg);
  static native String mxtls_config_warning(Pointer cfg, long i);
  static native long mxtls_config_identity_count(Pointer cfg);
  static native int mxtls_config_set_system_roots(Pointer cfg, int enabled);
  static native int mxtls_config_set_tls_versions(Pointer cfg, int min, int max, Pointer err);
  static native Pointer mxtls_ctx_new(Pointer cfg, Pointer err);
  static native Pointer mxtls_ctx_ref(Pointer ctx);
  static native void mxtls_ctx_free(Pointer ctx);
  static native Pointer mxtls_ctx_attach(Pointer ctx, Pointer key, Pointer value, Pointer cleanup);
  static native Pointer mxtls_ctx_attachment(Pointer ctx, Pointer key);
  static native long mxtls_ctx_identity_count(Pointer ctx);
  static native Pointer mxtls_ctx_identity_leaf(Pointer ctx, long i);
  static native long mxtls_no_identity();
  static native long mxtls_ctx_select(Pointer ctx, String identifier, String host);
  static native int mxtls_ctx_check_host(Pointer ctx, long identity, String identifier, String host, Pointer err);
  static native long mxtls_ctx_identity_pin_count(Pointer ctx, long i);
  static native String mxtls_ctx_identity_pin(Pointer ctx, long i, long k);
  static native long mxtls_ctx_warning_count(Pointer ctx);
  static native String mxtls_ctx_warning(Pointer ctx, long i);
  static native long mxtls_ctx_trust_count(Pointer ctx);
  static native long mxtls_ctx_system_root_count(Pointer ctx);
  static native Pointer mxtls_ctx_trust_cert(Pointer ctx, long i);
  static native void mxtls_ctx_tls_versions(Pointer ctx, int[] min, int[] max);
  static native String mxtls_event_name(int kind);
  static native void mxtls_event_queue(Pointer arg, int kind, String message);
  static native Pointer mxtls_runtime_new(Pointer envp, Pointer fn, Pointer arg, Pointer err);
  static native Pointer mxtls_runtime_ctx(Pointer rt);
  static native int mxtls_runtime_event_fd(Pointer rt);
  static native int mxtls_runtime_next_event(Pointer rt, int[] kind, byte[] message, long size);
  static native long mxtls_runtime_generation(Pointer rt);
  static native int mxtls_runtime_reload(Pointer rt, Pointer err);
  static native int mxtls_runtime_watch(Pointer rt, int signo, Pointer err);
  static native void mxtls_runtime_free(Pointer rt);
  static native int mxtls_server_key_explain(String host, int port, long timeoutMs, byte[] message, long size);
  static native int mxtls_ctx_export_identity_pem(Pointer ctx, long i, Pointer chainPem, Pointer chainLen, Pointer keyPem, Pointer keyLen, Pointer err);
  static native int mxtls_ctx_export_trust_pem(Pointer ctx, Pointer pem, Pointer len, Pointer err);
  static native int mxtls_ctx_export_added_trust_pem(Pointer ctx, Pointer pem, Pointer len, Pointer err);
  static native void mxtls_free_secret(Pointer p, long len);
  static native String mxtls_mbedtls_version();
  static native Pointer mxtls_pkcs12_writer_new(int profile, Pointer err);
  static native int mxtls_pkcs12_writer_set_iterations(Pointer w, int iterations, Pointer err);
  static native int mxtls_pkcs12_writer_add_identity(Pointer w, Pointer p12, long i, Pointer friendlyName, Pointer err);
  static native int mxtls_pkcs12_writer_add_cert_der(Pointer w, byte[] certDer, long certLen, Pointer err);
  static native int mxtls_pkcs12_writer_finish(Pointer w, Pointer password, long passwordLen, Pointer der, Pointer derLen, Pointer err);
  static native void mxtls_pkcs12_writer_free(Pointer w);
  static native Pointer mxtls_bundle_new(Pointer err);
  static native int mxtls_bundle_add_mem(Pointer b, Pointer data, long len, Pointer name, Pointer password, long passwordLen, Pointer err);
  static native int mxtls_bundle_add_file(Pointer b, String path, Pointer password, long passwordLen, Pointer err);
  static native int mxtls_bundle_add_keystore_mem(Pointer b, Pointer data, long len, Pointer name, Pointer storePassword, long storePasswordLen, Pointer keyPassword, long keyPasswordLen, Pointer err);
  static native int mxtls_bundle_add_keystore_file(Pointer b, String path, Pointer storePassword, long storePasswordLen, Pointer keyPassword, long keyPasswordLen, Pointer err);
  static native void mxtls_bundle_free(Pointer b);
  static native long mxtls_bundle_cert_count(Pointer b);
  static native Pointer mxtls_bundle_cert(Pointer b, long i);
  static native long mxtls_bundle_key_count(Pointer b);
  static native Pointer mxtls_bundle_key(Pointer b, long i);
  static native long mxtls_bundle_warning_count(Pointer b);
  static native int mxtls_bundle_warning_kind(Pointer b, long i);
  static native Pointer mxtls_bundle_warning(Pointer b, long i);
  static native int mxtls_key_kind(Pointer k);
  static native long mxtls_key_bits(Pointer k);
  static native String mxtls_key_curve(Pointer k);
  static native Pointer mxtls_key_form(Pointer k);
  static native Pointer mxtls_key_source(Pointer k);
  static native Pointer mxtls_key_alias(Pointer k);
  static native int mxtls_key_matches_cert(Pointer k, Pointer c);
  static native int mxtls_bundle_chain(Pointer b, long keyIndex, Pointer certs, long max, long[] n, Pointer err);
  static native int mxtls_bundle_add_to_writer(Pointer b, long keyIndex, Pointer w, Pointer friendlyName, Pointer err);
}
