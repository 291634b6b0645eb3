"""Every C function of libmxtls this binding calls, declared once, as data.

Why a table: the prototypes live in include/mxtls/mxtls.h, and a test parses
that header and compares each tuple here with it (argument count, integer
width and signedness, pointer or not). Keeping the declarations as plain data,
applied in one loop by _lib.py, is what makes that check possible.

Conventions:
- opaque handles (mxtls_ctx *, mxtls_cert *, ...) and mxtls_error * are c_void_p;
- returned static or borrowed strings are c_char_p (ctypes copies them to bytes);
- returned buffers the caller must free (char *) are c_void_p, so ctypes does not
  copy a secret into an immutable bytes object;
- char ** out-parameters of the PEM exports (and unsigned char ** of the PKCS#12
  writer) are POINTER(c_void_p) for the same reason.
"""
from ctypes import (POINTER, c_char_p, c_int, c_int64, c_size_t, c_uint, c_uint8,
                    c_uint64, c_void_p)

_P = c_void_p  # an opaque handle or an mxtls_error *
_ENVP = POINTER(c_char_p)  # const char *const *: NULL-terminated array of strings

DECLARATIONS = [
    # version, ABI, constants
    ("mxtls_version", c_char_p, []),
    ("mxtls_abi_version", c_int, []),
    ("mxtls_constant", c_int, [c_char_p, POINTER(c_int64)]),
    ("mxtls_mbedtls_version", c_char_p, []),
    # errors
    ("mxtls_error_name", c_char_p, [c_int]),
    ("mxtls_strerror", c_char_p, [c_int]),
    ("mxtls_error_code", c_int, [_P]),
    ("mxtls_error_message", c_char_p, [_P]),
    ("mxtls_error_size", c_size_t, []),
    # certificates (borrowed views)
    ("mxtls_cert_der", POINTER(c_uint8), [_P, POINTER(c_size_t)]),
    ("mxtls_cert_subject", c_int, [_P, c_char_p, c_size_t]),
    ("mxtls_cert_issuer", c_int, [_P, c_char_p, c_size_t]),
    ("mxtls_cert_not_before", c_int64, [_P]),
    ("mxtls_cert_not_after", c_int64, [_P]),
    ("mxtls_cert_sha256", POINTER(c_uint8), [_P]),
    ("mxtls_cert_is_ca", c_int, [_P]),
    # identities
    ("mxtls_identity_leaf", _P, [_P]),
    ("mxtls_identity_chain_count", c_size_t, [_P]),
    ("mxtls_identity_chain_cert", _P, [_P, c_size_t]),
    ("mxtls_identity_friendly_name", c_char_p, [_P]),
    ("mxtls_identity_key_type", c_int, [_P]),
    ("mxtls_identity_key_bits", c_size_t, [_P]),
    ("mxtls_identity_key_curve", c_char_p, [_P]),
    # PKCS#12 containers
    ("mxtls_pkcs12_load_mem_n", _P, [c_void_p, c_size_t, c_char_p, c_size_t, c_uint, _P]),
    ("mxtls_pkcs12_load_file_n", _P, [c_char_p, c_char_p, c_size_t, c_uint, _P]),
    ("mxtls_pkcs12_free", None, [_P]),
    ("mxtls_password_read_file", c_void_p, [c_char_p, _P]),
    ("mxtls_password_free", None, [c_void_p]),
    ("mxtls_pkcs12_identity_count", c_size_t, [_P]),
    ("mxtls_pkcs12_identity", _P, [_P, c_size_t]),
    ("mxtls_pkcs12_extra_cert_count", c_size_t, [_P]),
    ("mxtls_pkcs12_extra_cert", _P, [_P, c_size_t]),
    ("mxtls_pkcs12_mac_algorithm", c_char_p, [_P]),
    ("mxtls_pkcs12_encryption_count", c_size_t, [_P]),
    ("mxtls_pkcs12_encryption", c_char_p, [_P, c_size_t]),
    ("mxtls_warning_name", c_char_p, [c_int]),
    ("mxtls_pkcs12_warning_count", c_size_t, [_P]),
    ("mxtls_pkcs12_warning_kind", c_int, [_P, c_size_t]),
    ("mxtls_pkcs12_warning", c_char_p, [_P, c_size_t]),
    # trust
    ("mxtls_trust_load_mem", _P, [c_void_p, c_size_t, _P]),
    ("mxtls_trust_load_file", _P, [c_char_p, _P]),
    ("mxtls_trust_load_system", _P, [_P]),
    ("mxtls_trust_free", None, [_P]),
    ("mxtls_trust_source", c_char_p, [_P]),
    ("mxtls_trust_cert_count", c_size_t, [_P]),
    ("mxtls_trust_cert", _P, [_P, c_size_t]),
    ("mxtls_trust_warning_count", c_size_t, [_P]),
    ("mxtls_trust_warning_kind", c_int, [_P, c_size_t]),
    ("mxtls_trust_warning", c_char_p, [_P, c_size_t]),
    # configuration
    ("mxtls_config_new", _P, []),
    ("mxtls_config_free", None, [_P]),
    ("mxtls_config_add_identity", c_int, [_P, _P, c_size_t, _P]),
    ("mxtls_config_add_identity_pinned", c_int, [_P, _P, c_size_t, _ENVP, c_size_t, _P]),
    ("mxtls_config_add_no_identity", c_int, [_P, _ENVP, c_size_t, _P]),
    ("mxtls_config_add_trust", c_int, [_P, _P, _P]),
    ("mxtls_config_from_env", _P, [_ENVP, _P]),
    ("mxtls_config_warning_count", c_size_t, [_P]),
    ("mxtls_config_warning", c_char_p, [_P, c_size_t]),
    ("mxtls_config_identity_count", c_size_t, [_P]),
    ("mxtls_config_set_system_roots", c_int, [_P, c_int]),
    ("mxtls_config_set_tls_versions", c_int, [_P, c_int, c_int, _P]),
    # context
    ("mxtls_ctx_new", _P, [_P, _P]),
    ("mxtls_ctx_ref", _P, [_P]),
    ("mxtls_ctx_free", None, [_P]),
    ("mxtls_ctx_identity_count", c_size_t, [_P]),
    ("mxtls_ctx_identity_leaf", _P, [_P, c_size_t]),
    ("mxtls_no_identity", c_size_t, []),
    ("mxtls_ctx_select", c_size_t, [_P, c_char_p, c_char_p]),
    ("mxtls_ctx_check_host", c_int, [_P, c_size_t, c_char_p, c_char_p, _P]),
    ("mxtls_ctx_identity_pin_count", c_size_t, [_P, c_size_t]),
    ("mxtls_ctx_identity_pin", c_char_p, [_P, c_size_t, c_size_t]),
    ("mxtls_ctx_warning_count", c_size_t, [_P]),
    ("mxtls_ctx_warning", c_char_p, [_P, c_size_t]),
    ("mxtls_ctx_trust_count", c_size_t, [_P]),
    ("mxtls_ctx_system_root_count", c_size_t, [_P]),
    ("mxtls_ctx_trust_cert", _P, [_P, c_size_t]),
    ("mxtls_ctx_tls_versions", None, [_P, POINTER(c_int), POINTER(c_int)]),
    # PEM export
    ("mxtls_ctx_export_identity_pem", c_int,
     [_P, c_size_t, POINTER(c_void_p), POINTER(c_size_t), POINTER(c_void_p), POINTER(c_size_t), _P]),
    ("mxtls_ctx_export_added_trust_pem", c_int, [_P, POINTER(c_void_p), POINTER(c_size_t), _P]),
    ("mxtls_free_secret", None, [c_void_p, c_size_t]),
    # writing PKCS#12 containers
    ("mxtls_pkcs12_writer_new", _P, [c_int, _P]),
    ("mxtls_pkcs12_writer_set_iterations", c_int, [_P, c_uint, _P]),
    ("mxtls_pkcs12_writer_add_identity", c_int, [_P, _P, c_size_t, c_char_p, _P]),
    ("mxtls_pkcs12_writer_add_key_der", c_int,
     [_P, c_void_p, c_size_t, POINTER(c_void_p), POINTER(c_size_t), c_size_t, c_char_p, _P]),
    ("mxtls_pkcs12_writer_add_cert_der", c_int, [_P, c_void_p, c_size_t, _P]),
    ("mxtls_pkcs12_writer_finish", c_int,
     [_P, c_char_p, c_size_t, POINTER(c_void_p), POINTER(c_size_t), _P]),
    ("mxtls_pkcs12_writer_free", None, [_P]),
    # bundles: certificates and keys users bring (keys stay in C)
    ("mxtls_bundle_new", _P, [_P]),
    ("mxtls_bundle_add_mem", c_int, [_P, c_void_p, c_size_t, c_char_p, c_char_p, c_size_t, _P]),
    ("mxtls_bundle_add_file", c_int, [_P, c_char_p, c_char_p, c_size_t, _P]),
    ("mxtls_bundle_add_keystore_mem", c_int,
     [_P, c_void_p, c_size_t, c_char_p, c_char_p, c_size_t, c_char_p, c_size_t, _P]),
    ("mxtls_bundle_add_keystore_file", c_int, [_P, c_char_p, c_char_p, c_size_t, c_char_p, c_size_t, _P]),
    ("mxtls_bundle_free", None, [_P]),
    ("mxtls_bundle_cert_count", c_size_t, [_P]),
    ("mxtls_bundle_cert", _P, [_P, c_size_t]),
    ("mxtls_bundle_key_count", c_size_t, [_P]),
    ("mxtls_bundle_key", _P, [_P, c_size_t]),
    ("mxtls_bundle_warning_count", c_size_t, [_P]),
    ("mxtls_bundle_warning_kind", c_int, [_P, c_size_t]),
    ("mxtls_bundle_warning", c_char_p, [_P, c_size_t]),
    ("mxtls_key_kind", c_int, [_P]),
    ("mxtls_key_bits", c_size_t, [_P]),
    ("mxtls_key_curve", c_char_p, [_P]),
    ("mxtls_key_form", c_char_p, [_P]),
    ("mxtls_key_source", c_char_p, [_P]),
    ("mxtls_key_alias", c_char_p, [_P]),
    ("mxtls_key_matches_cert", c_int, [_P, _P]),
    ("mxtls_bundle_chain", c_int, [_P, c_size_t, POINTER(c_void_p), c_size_t, POINTER(c_size_t), _P]),
    ("mxtls_bundle_add_to_writer", c_int, [_P, c_size_t, _P, c_char_p, _P]),
    # runtime
    ("mxtls_event_name", c_char_p, [c_int]),
    ("mxtls_event_queue", None, [c_void_p, c_int, c_char_p]),  # only its address is used
    ("mxtls_runtime_new", _P, [_ENVP, c_void_p, c_void_p, _P]),
    ("mxtls_runtime_ctx", _P, [_P]),
    ("mxtls_runtime_event_fd", c_int, [_P]),
    ("mxtls_runtime_next_event", c_int, [_P, POINTER(c_int), c_char_p, c_size_t]),
    ("mxtls_runtime_generation", c_uint64, [_P]),
    ("mxtls_runtime_reload", c_int, [_P, _P]),
    ("mxtls_runtime_watch", c_int, [_P, c_int, _P]),
    ("mxtls_runtime_free", None, [_P]),
]
