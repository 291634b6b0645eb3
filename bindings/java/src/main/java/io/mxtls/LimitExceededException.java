package io.mxtls;

/** {@code "limit_exceeded"}: size, nesting, bag count or KDF cost over a limit. */
public class LimitExceededException extends MxtlsException {
  private static final long serialVersionUID = 1L;

  public LimitExceededException(int errno, String message) {
    super("limit_exceeded", errno, message);
  }
}
