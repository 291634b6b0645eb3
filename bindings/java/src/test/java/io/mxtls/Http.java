package io.mxtls;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;

/** Requests for the tests; answers are the fixture's JSON ({"verify","subject","protocol","reused","host"}). */
final class Http {
  private Http() {}

  static HttpClient client(SSLContext ssl) {
    return HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  static Map<String, Object> get(HttpClient c, String url) throws IOException, InterruptedException {
    HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IOException(url + ": HTTP " + r.statusCode() + ": " + r.body());
    return MiniJson.object(r.body());
  }

  static Map<String, Object> getUrlConnection(SSLContext ssl, String url) throws IOException {
    HttpsURLConnection c = (HttpsURLConnection) new URL(url).openConnection();
    c.setSSLSocketFactory(ssl.getSocketFactory());
    c.setConnectTimeout(10_000);
    c.setReadTimeout(20_000);
    try (InputStream in = c.getInputStream()) {
      if (c.getResponseCode() != 200) throw new IOException(url + ": HTTP " + c.getResponseCode());
      return MiniJson.object(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      c.disconnect();
    }
  }

  static String subject(Map<String, Object> answer) {
    return (String) answer.get("subject");
  }
}
