package io.mxtls;

/** {@code "wrong_password"}: an intact file the password does not open. */
public class WrongPasswordException extends MxtlsException {
  private static final long serialVersionUID = 1L;

  public WrongPasswordException(int errno, String message) {
    super("wrong_password", errno, message);
  }
}
