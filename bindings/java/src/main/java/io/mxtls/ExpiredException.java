package io.mxtls;

/** {@code "expired"}: an identity certificate has expired or is not yet valid. */
public class ExpiredException extends MxtlsException {
  private static final long serialVersionUID = 1L;

  public ExpiredException(int errno, String message) {
    super("expired", errno, message);
  }
}
