package io.mxtls;

/** {@code "nomem"}: out of memory. */
public class NomemException extends MxtlsException {
  private static final long serialVersionUID = 1L;

  public NomemException(int errno, String message) {
    super("nomem", errno, message);
  }
}
