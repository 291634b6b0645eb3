package io.mxtls;

/** {@code "usage"}: a bad argument from the caller (also: a closed object). */
public class UsageException extends MxtlsException {
  private static final long serialVersionUID = 1L;

  public UsageException(int errno, String message) {
    super("usage", errno, message);
  }
}
