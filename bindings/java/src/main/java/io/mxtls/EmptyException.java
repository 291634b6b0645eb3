package io.mxtls;

/** {@code "empty"}: a valid container (or bundle) with nothing in it. */
public class EmptyException extends MxtlsException {
  private static final long serialVersionUID = 1L;

  public EmptyException(int errno, String message) {
    super("empty", errno, message);
  }
}
