package io.mxtls;

/** {@code "unsupported_key"}: a private key type or size that cannot be used for TLS. */
public class UnsupportedKeyException extends MxtlsException {
  private static final long serialVersionUID = 1L;

  public UnsupportedKeyException(int errno, String message) {
    super("unsupported_key", errno, message);
  }
}
