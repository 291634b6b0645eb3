package io.mxtls;

/** {@code "internal"}: a bug or an unexpected library failure. */
public class InternalException extends MxtlsException {
  private static final long serialVersionUID = 1L;

  public InternalException(int errno, String message) {
    super("internal", errno, message);
  }
}
