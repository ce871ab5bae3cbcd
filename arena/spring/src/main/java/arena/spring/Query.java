package arena.spring;

import java.net.URI;

import org.springframework.web.util.UriComponentsBuilder;

/** Query parameters of a WebSocket handshake's URI. */
final class Query {
  private Query() {}

  static String first(URI uri, String name) {
    return UriComponentsBuilder.fromUri(uri).build().getQueryParams().getFirst(name);
  }

  /** text as a number in (0, max], or NaN when it is not one. */
  static double positive(String text, double max) {
    try {
      double v = Double.parseDouble(text);
      return v > 0 && v <= max ? v : Double.NaN;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
