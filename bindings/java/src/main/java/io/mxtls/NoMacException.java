package io.mxtls;

/** {@code "no_mac"}: no integrity MAC while a MAC was required. */
public class NoMacException extends MxtlsException {
  private static final long serialVersionUID = 1L;

  public NoMacException(int errno, String message) {
    super("no_mac", errno, message);
  }
}
