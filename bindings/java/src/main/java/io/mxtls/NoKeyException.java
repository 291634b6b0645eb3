package io.mxtls;

/** {@code "no_key"}: certificates but no private key. */
public class NoKeyException extends MxtlsException {
  private static final long serialVersionUID = 1L;

  public NoKeyException(int errno, String message) {
    super("no_key", errno, message);
  }
}
