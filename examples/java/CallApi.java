/*
 * Call an HTTPS API with the client identity and authorities of the platform's environment
 * (CLIENT_CERTIFICATES, MXTLS_CLIENT_CERTIFICATE_FILE + MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE,
 * CERTIFICATE_AUTHORITIES, ...), through java.net.http.HttpClient. Prints the body.
 *
 *   MXTLS_LIBRARY=build/libmxtls.so.0 \
 *     java -cp build/java/mxtls.jar:/usr/share/java/jna.jar examples/java/CallApi.java URL
 *
 * Exit 0 on a 2xx answer; otherwise non-zero with one line on stderr:
 *   mxtls: <code>: <message>   the identity or trust could not be loaded (code: wrong_password, ...)
 *   http: <status>             the server answered, not with 2xx (the body is still printed)
 *   tls: <message>             the TLS handshake failed (e.g. an untrusted server)
 *   error: <message>           anything else (connection refused, timeout, bad URL)
 */
import io.mxtls.Context;
import io.mxtls.Mxtls;
import io.mxtls.MxtlsException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLException;

public class CallApi {
  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: CallApi URL");
      System.exit(2);
    }
    System.exit(run(args[0]));
  }

  static int run(String url) {
    try (Context ctx = Mxtls.fromEnv(System.getenv())) {
      HttpClient client = HttpClient.newBuilder()
          .sslContext(ctx.sslContext())
          .connectTimeout(Duration.ofSeconds(10))
          .build();
      HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build();
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      System.out.print(response.body());
      System.out.flush();
      if (response.statusCode() / 100 == 2) return 0;
      System.err.println("http: " + response.statusCode());
      return 1;
    } catch (MxtlsException e) {
      System.err.println("mxtls: " + e.code() + ": " + e.getMessage());
      return 1;
    } catch (SSLException e) {
      System.err.println("tls: " + e.getMessage());
      return 1;
    } catch (IOException | IllegalArgumentException e) {
      System.err.println("error: " + e);
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      System.err.println("error: interrupted");
      return 1;
    }
  }
}
