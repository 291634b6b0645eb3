package io.mxtls;

/** {@code "io"}: a file could not be read. */
public class IoException extends MxtlsException {
  private static final long serialVersionUID = 1L;

  public IoException(int errno, String message) {
    super("io", errno, message);
  }
}
