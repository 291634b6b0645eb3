package io.mxtls;

/** {@code "no_certificate"}: a private key but no certificate. */
public class NoCertificateException extends MxtlsException {
  private static final long serialVersionUID = 1L;

  public NoCertificateException(int errno, String message) {
    super("no_certificate", errno, message);
  }
}
