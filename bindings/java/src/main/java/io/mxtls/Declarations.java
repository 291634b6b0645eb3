package io.mxtls;

/**
 * The C functions this binding calls, as the exact prototypes of
 * {@code include/mxtls/mxtls.h} (without {@code MXTLS_EXTERN} / {@code MXTLS_WARN_UNUSED}),
 * one string literal per line so that tools can read them from this file or from
 * {@code java -cp mxtls.jar io.mxtls.Declarations} (a JSON array on stdout).
 *
 * <p>{@link Ffi} declares one Java native method per entry; {@code FfiDeclarationsTest}
 * checks that each native method's Java types have the ABI class of its prototype.
 * This class needs neither JNA nor the library.
 */
public final class Declarations {
  private Declarations() {}

  /** MXTLS_ABI_VERSION this binding was written against. */
  public static final int KNOWN_ABI = 0;

  /** The header's prototypes, verbatim. */
  public static final String[] DECLARATIONS = {
    "const char *mxtls_version(void)",
    "int mxtls_abi_version(void)",
    "int mxtls_constant(const char *name, int64_t *value)",
    "const char *mxtls_error_name(int code)",
    "const char *mxtls_strerror(int code)",
    "int mxtls_error_code(const mxtls_error *err)",
    "const char *mxtls_error_message(const mxtls_error *err)",
    "size_t mxtls_error_size(void)",
    "const uint8_t *mxtls_cert_der(const mxtls_cert *cert, size_t *len)",
    "int mxtls_cert_subject(const mxtls_cert *cert, char *buf, size_t size)",
    "int mxtls_cert_issuer(const mxtls_cert *cert, char *buf, size_t size)",
    "int64_t mxtls_cert_not_before(const mxtls_cert *cert)",
    "int64_t mxtls_cert_not_after(const mxtls_cert *cert)",
    "const uint8_t *mxtls_cert_sha256(const mxtls_cert *cert)",
    "int mxtls_cert_is_ca(const mxtls_cert *cert)",
    "const mxtls_cert *mxtls_identity_leaf(const mxtls_identity *id)",
    "size_t mxtls_identity_chain_count(const mxtls_identity *id)",
    "const mxtls_cert *mxtls_identity_chain_cert(const mxtls_identity *id, size_t i)",
    "const char *mxtls_identity_friendly_name(const mxtls_identity *id)",
    "int mxtls_identity_key_type(const mxtls_identity *id)",
    "size_t mxtls_identity_key_bits(const mxtls_identity *id)",
    "const char *mxtls_identity_key_curve(const mxtls_identity *id)",
    "mxtls_pkcs12 *mxtls_pkcs12_load_mem(const void *data, size_t len, const char *password, unsigned flags, mxtls_error *err)",
    "mxtls_pkcs12 *mxtls_pkcs12_load_file(const char *path, const char *password, unsigned flags, mxtls_error *err)",
    "mxtls_pkcs12 *mxtls_pkcs12_load_mem_n(const void *data, size_t len, const char *password, size_t password_len, unsigned flags, mxtls_error *err)",
    "mxtls_pkcs12 *mxtls_pkcs12_load_file_n(const char *path, const char *password, size_t password_len, unsigned flags, mxtls_error *err)",
    "void mxtls_pkcs12_free(mxtls_pkcs12 *p12)",
    "char *mxtls_password_read_file(const char *path, mxtls_error *err)",
    "void mxtls_password_free(char *password)",
    "size_t mxtls_pkcs12_identity_count(const mxtls_pkcs12 *p12)",
    "const mxtls_identity *mxtls_pkcs12_identity(const mxtls_pkcs12 *p12, size_t i)",
    "size_t mxtls_pkcs12_extra_cert_count(const mxtls_pkcs12 *p12)",
    "const mxtls_cert *mxtls_pkcs12_extra_cert(const mxtls_pkcs12 *p12, size_t i)",
    "const char *mxtls_pkcs12_mac_algorithm(const mxtls_pkcs12 *p12)",
    "size_t mxtls_pkcs12_encryption_count(const mxtls_pkcs12 *p12)",
    "const char *mxtls_pkcs12_encryption(const mxtls_pkcs12 *p12, size_t i)",
    "const char *mxtls_warning_name(int kind)",
    "size_t mxtls_pkcs12_warning_count(const mxtls_pkcs12 *p12)",
    "int mxtls_pkcs12_warning_kind(const mxtls_pkcs12 *p12, size_t i)",
    "const char *mxtls_pkcs12_warning(const mxtls_pkcs12 *p12, size_t i)",
    "mxtls_trust *mxtls_trust_load_mem(const void *data, size_t len, mxtls_error *err)",
    "mxtls_trust *mxtls_trust_load_file(const char *path, mxtls_error *err)",
    "mxtls_trust *mxtls_trust_load_system(mxtls_error *err)",
    "void mxtls_trust_free(mxtls_trust *trust)",
    "const char *mxtls_trust_source(const mxtls_trust *trust)",
    "size_t mxtls_trust_cert_count(const mxtls_trust *trust)",
    "const mxtls_cert *mxtls_trust_cert(const mxtls_trust *trust, size_t i)",
    "size_t mxtls_trust_warning_count(const mxtls_trust *trust)",
    "int mxtls_trust_warning_kind(const mxtls_trust *trust, size_t i)",
    "const char *mxtls_trust_warning(const mxtls_trust *trust, size_t i)",
    "mxtls_config *mxtls_config_new(void)",
    "void mxtls_config_free(mxtls_config *cfg)",
    "int mxtls_config_add_identity(mxtls_config *cfg, const mxtls_pkcs12 *p12, size_t i, mxtls_error *err)",
    "int mxtls_config_add_identity_pinned(mxtls_config *cfg, const mxtls_pkcs12 *p12, size_t i, const char *const *pins, size_t npins, mxtls_error *err)",
    "int mxtls_config_add_no_identity(mxtls_config *cfg, const char *const *pins, size_t npins, mxtls_error *err)",
    "int mxtls_config_add_trust(mxtls_config *cfg, const mxtls_trust *trust, mxtls_error *err)",
    "mxtls_config *mxtls_config_from_env(const char *const *envp, mxtls_error *err)",
    "size_t mxtls_config_warning_count(const mxtls_config *cfg)",
    "const char *mxtls_config_warning(const mxtls_config *cfg, size_t i)",
    "size_t mxtls_config_identity_count(const mxtls_config *cfg)",
    "int mxtls_config_set_system_roots(mxtls_config *cfg, int enabled)",
    "int mxtls_config_set_tls_versions(mxtls_config *cfg, int min, int max, mxtls_error *err)",
    "mxtls_ctx *mxtls_ctx_new(const mxtls_config *cfg, mxtls_error *err)",
    "mxtls_ctx *mxtls_ctx_ref(mxtls_ctx *ctx)",
    "void mxtls_ctx_free(mxtls_ctx *ctx)",
    "void *mxtls_ctx_attach(mxtls_ctx *ctx, const void *key, void *value, mxtls_cleanup_fn cleanup)",
    "void *mxtls_ctx_attachment(const mxtls_ctx *ctx, const void *key)",
    "size_t mxtls_ctx_identity_count(const mxtls_ctx *ctx)",
    "const mxtls_cert *mxtls_ctx_identity_leaf(const mxtls_ctx *ctx, size_t i)",
    "size_t mxtls_no_identity(void)",
    "size_t mxtls_ctx_select(const mxtls_ctx *ctx, const char *identifier, const char *host)",
    "int mxtls_ctx_check_host(const mxtls_ctx *ctx, size_t identity, const char *identifier, const char *host, mxtls_error *err)",
    "size_t mxtls_ctx_identity_pin_count(const mxtls_ctx *ctx, size_t i)",
    "const char *mxtls_ctx_identity_pin(const mxtls_ctx *ctx, size_t i, size_t k)",
    "size_t mxtls_ctx_warning_count(const mxtls_ctx *ctx)",
    "const char *mxtls_ctx_warning(const mxtls_ctx *ctx, size_t i)",
    "size_t mxtls_ctx_trust_count(const mxtls_ctx *ctx)",
    "size_t mxtls_ctx_system_root_count(const mxtls_ctx *ctx)",
    "const mxtls_cert *mxtls_ctx_trust_cert(const mxtls_ctx *ctx, size_t i)",
    "void mxtls_ctx_tls_versions(const mxtls_ctx *ctx, int *min, int *max)",
    "const char *mxtls_event_name(int kind)",
    "void mxtls_event_queue(void *arg, int kind, const char *message)",
    "mxtls_runtime *mxtls_runtime_new(const char *const *envp, mxtls_event_fn fn, void *arg, mxtls_error *err)",
    "mxtls_ctx *mxtls_runtime_ctx(mxtls_runtime *rt)",
    "int mxtls_runtime_event_fd(mxtls_runtime *rt)",
    "int mxtls_runtime_next_event(mxtls_runtime *rt, int *kind, char *message, size_t size)",
    "uint64_t mxtls_runtime_generation(mxtls_runtime *rt)",
    "int mxtls_runtime_reload(mxtls_runtime *rt, mxtls_error *err)",
    "int mxtls_runtime_watch(mxtls_runtime *rt, int signo, mxtls_error *err)",
    "void mxtls_runtime_free(mxtls_runtime *rt)",
    "int mxtls_server_key_explain(const char *host, int port, long timeout_ms, char *message, size_t size)",
    "int mxtls_ctx_export_identity_pem(const mxtls_ctx *ctx, size_t i, char **chain_pem, size_t *chain_len, char **key_pem, size_t *key_len, mxtls_error *err)",
    "int mxtls_ctx_export_trust_pem(const mxtls_ctx *ctx, char **pem, size_t *len, mxtls_error *err)",
    "int mxtls_ctx_export_added_trust_pem(const mxtls_ctx *ctx, char **pem, size_t *len, mxtls_error *err)",
    "void mxtls_free_secret(void *p, size_t len)",
    "const char *mxtls_mbedtls_version(void)",
    "mxtls_pkcs12_writer *mxtls_pkcs12_writer_new(int profile, mxtls_error *err)",
    "int mxtls_pkcs12_writer_set_iterations(mxtls_pkcs12_writer *w, unsigned iterations, mxtls_error *err)",
    "int mxtls_pkcs12_writer_add_identity(mxtls_pkcs12_writer *w, const mxtls_pkcs12 *p12, size_t i, const char *friendly_name, mxtls_error *err)",
    "int mxtls_pkcs12_writer_add_cert_der(mxtls_pkcs12_writer *w, const void *cert_der, size_t cert_len, mxtls_error *err)",
    "int mxtls_pkcs12_writer_finish(mxtls_pkcs12_writer *w, const char *password, size_t password_len, unsigned char **der, size_t *der_len, mxtls_error *err)",
    "void mxtls_pkcs12_writer_free(mxtls_pkcs12_writer *w)",
    "mxtls_bundle *mxtls_bundle_new(mxtls_error *err)",
    "int mxtls_bundle_add_mem(mxtls_bundle *b, const void *data, size_t len, const char *name, const char *password, size_t password_len, mxtls_error *err)",
    "int mxtls_bundle_add_file(mxtls_bundle *b, const char *path, const char *password, size_t password_len, mxtls_error *err)",
    "int mxtls_bundle_add_keystore_mem(mxtls_bundle *b, const void *data, size_t len, const char *name, const char *store_password, size_t store_password_len, const char *key_password, size_t key_password_len, mxtls_error *err)",
    "int mxtls_bundle_add_keystore_file(mxtls_bundle *b, const char *path, const char *store_password, size_t store_password_len, const char *key_password, size_t key_password_len, mxtls_error *err)",
    "void mxtls_bundle_free(mxtls_bundle *b)",
    "size_t mxtls_bundle_cert_count(const mxtls_bundle *b)",
    "const mxtls_cert *mxtls_bundle_cert(const mxtls_bundle *b, size_t i)",
    "size_t mxtls_bundle_key_count(const mxtls_bundle *b)",
    "const mxtls_key *mxtls_bundle_key(const mxtls_bundle *b, size_t i)",
    "size_t mxtls_bundle_warning_count(const mxtls_bundle *b)",
    "int mxtls_bundle_warning_kind(const mxtls_bundle *b, size_t i)",
    "const char *mxtls_bundle_warning(const mxtls_bundle *b, size_t i)",
    "int mxtls_key_kind(const mxtls_key *k)",
    "size_t mxtls_key_bits(const mxtls_key *k)",
    "const char *mxtls_key_curve(const mxtls_key *k)",
    "const char *mxtls_key_form(const mxtls_key *k)",
    "const char *mxtls_key_source(const mxtls_key *k)",
    "const char *mxtls_key_alias(const mxtls_key *k)",
    "int mxtls_key_matches_cert(const mxtls_key *k, const mxtls_cert *c)",
    "int mxtls_bundle_chain(const mxtls_bundle *b, size_t key_index, const mxtls_cert **certs, size_t max, size_t *n, mxtls_error *err)",
    "int mxtls_bundle_add_to_writer(const mxtls_bundle *b, size_t key_index, mxtls_pkcs12_writer *w, const char *friendly_name, mxtls_error *err)",
  };

  /** Prints {@link #DECLARATIONS} as a JSON array of strings. */
  public static void main(String[] args) {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < DECLARATIONS.length; i++) {
      if (i > 0) out.append(',');
      out.append('"').append(DECLARATIONS[i].replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    System.out.println(out.append(']'));
  }
}
