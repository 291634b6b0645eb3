package io.mxtls;

/** {@code "key_mismatch"}: keys and certificates, none matching. */
public class KeyMismatchException extends MxtlsException {
  private static final long serialVersionUID = 1L;

  public KeyMismatchException(int errno, String message) {
    super("key_mismatch", errno, message);
  }
}
