package io.mxtls;

/** {@code "not_pinned"}: a connection to a host its identity was not selected for. */
public class NotPinnedException extends MxtlsException {
  private static final long serialVersionUID = 1L;

  public NotPinnedException(int errno, String message) {
    super("not_pinned", errno, message);
  }
}
