package io.mxtls;

/** {@code "unsupported_algorithm"}: an encryption, MAC or content type libmxtls does not do. */
public class UnsupportedAlgorithmException extends MxtlsException {
  private static final long serialVersionUID = 1L;

  public UnsupportedAlgorithmException(int errno, String message) {
    super("unsupported_algorithm", errno, message);
  }
}
