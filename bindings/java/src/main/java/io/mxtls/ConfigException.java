package io.mxtls;

/** {@code "config"}: the environment's configuration is malformed (variable, JSON, pin). */
public class ConfigException extends MxtlsException {
  private static final long serialVersionUID = 1L;

  public ConfigException(int errno, String message) {
    super("config", errno, message);
  }
}
