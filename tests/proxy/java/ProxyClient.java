// A JVM client configured the standard way (-Dhttps.proxyHost/-Dhttps.proxyPort and a truststore):
// calls each URL given with HttpsURLConnection and with java.net.http.HttpClient and prints one
// line per call: "<client> <status> <body>". Run as a single-file program: java ProxyClient.java.
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

public class ProxyClient {
    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .proxy(ProxySelector.getDefault()) // the https.proxyHost/Port system properties
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        for (String spec : args) {
            // spec: METHOD|URL|HEADER=VALUE;HEADER=VALUE|BODY
            String[] parts = spec.split("\\|", -1);
            String method = parts[0], url = parts[1], body = parts[3];
            String[] headers = parts[2].isEmpty() ? new String[0] : parts[2].split(";");

            HttpURLConnection conn = (HttpURLConnection) new URL(url).openConnection();
            conn.setRequestMethod(method);
            for (String header : headers) {
                String[] kv = header.split("=", 2);
                conn.setRequestProperty(kv[0], kv[1]);
            }
            if (!body.isEmpty()) {
                conn.setDoOutput(true);
                conn.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
            }
            int status = conn.getResponseCode();
            InputStream in = status < 400 ? conn.getInputStream() : conn.getErrorStream();
            System.out.println("urlconnection " + status + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8));

            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(10))
                    .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            for (String header : headers) {
                String[] kv = header.split("=", 2);
                request.header(kv[0], kv[1]);
            }
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            System.out.println("httpclient " + response.statusCode() + " " + response.body());
        }
    }
}
