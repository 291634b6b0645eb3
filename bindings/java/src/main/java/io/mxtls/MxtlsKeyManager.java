package io.mxtls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.OptionalInt;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Chooses the client identity per connection by the peer host the engine or socket reports,
 * through {@code mxtls_ctx_select} (pins, then the default; "no identity" gives a null alias, so
 * no certificate is sent). Bound to one {@link Context}: a rotation gives a new SSLContext
 * delegate with new managers (see {@link MxtlsSslContext}), so an alias never outlives its context.
 *
 * <p>Aliases are {@code "mxtls-<index>"}. The server's accepted issuers are not used to choose:
 * pins decide, as in every libmxtls integration; a key type the handshake cannot use gives null.
 */
final class MxtlsKeyManager extends X509ExtendedKeyManager {
  private static final String PREFIX = "mxtls-";
  private final Context ctx;

  MxtlsKeyManager(Context ctx) {
    this.ctx = ctx;
  }

  static String peerHost(Socket socket) {
    if (socket instanceof SSLSocket) {
      SSLSession s = ((SSLSocket) socket).getHandshakeSession();
      if (s != null && s.getPeerHost() != null) return s.getPeerHost();
    }
    if (socket != null && socket.getInetAddress() != null) {
      // the name the socket was connected with, else the literal: never a reverse lookup
      String s = socket.getInetAddress().toString(); // "name/literal" or "/literal"
      int slash = s.lastIndexOf('/');
      return slash > 0 ? s.substring(0, slash) : s.substring(slash + 1);
    }
    return null;
  }

  static String peerHost(SSLEngine engine) {
    return engine == null ? null : engine.getPeerHost();
  }

  private String choose(String[] keyTypes, String host) {
    OptionalInt i = ctx.select(null, host);
    if (i.isEmpty()) return null;
    KeyMaterial m = ctx.material(i.getAsInt());
    if (keyTypes != null) {
      boolean usable = false;
      for (String t : keyTypes) {
        if (m.keyType().jcaAlgorithm().equals(t)) usable = true;
      }
      if (!usable) return null;
    }
    return PREFIX + i.getAsInt();
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return choose(keyTypes, peerHost(socket));
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return choose(keyTypes, peerHost(engine));
  }

  private KeyMaterial byAlias(String alias) {
    if (alias == null || !alias.startsWith(PREFIX)) return null;
    int index;
    try {
      index = Integer.parseInt(alias.substring(PREFIX.length()));
    } catch (NumberFormatException e) {
      return null;
    }
    if (index < 0 || index >= ctx.identities().size()) return null;
    return ctx.material(index);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    KeyMaterial m = byAlias(alias);
    return m == null ? null : m.chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    KeyMaterial m = byAlias(alias);
    return m == null ? null : m.key();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return ctx.identities().stream()
        .filter(id -> keyType == null || keyType.equals(ctx.material(id.index()).keyType().jcaAlgorithm()))
        .map(id -> PREFIX + id.index()).toArray(String[]::new);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return null; // a client library
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return null;
  }
}
