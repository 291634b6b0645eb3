package io.mxtls;

/**
 * {@code "library"}: libmxtls itself cannot be used: not found, an ABI other than the one this
 * binding knows, a missing function, or a non-LP64 platform. {@link #errno()} is -1.
 */
public class LibraryException extends MxtlsException {
  private static final long serialVersionUID = 1L;

  public LibraryException(String message) {
    super("library", -1, message);
  }

  LibraryException(String message, Throwable cause) {
    super("library", -1, message, cause);
  }
}
