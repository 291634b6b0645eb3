package io.mxtls;

/** {@code "corrupt"}: not a well-formed PKCS#12 container (or a damaged certificate block). */
public class CorruptException extends MxtlsException {
  private static final long serialVersionUID = 1L;

  public CorruptException(int errno, String message) {
    super("corrupt", errno, message);
  }
}
