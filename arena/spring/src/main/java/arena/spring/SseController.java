package arena.spring;

import java.time.Duration;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * /sse: the seed's stream, data:0 … data:9 with a pause after each event, then the response ends.
 * /sse/ticks: stamped events publish_hz times a second (default 10), resuming after
 * Last-Event-ID; ?count=N ends the stream after N events.
 */
@RestController
class SseController {
  private static final int SEED_EVENTS = 10;
  private static final double MAX_INTERVAL_MS = 3_600_000;
  private static final double MAX_PUBLISH_HZ = 100_000;
  /** Ticks one stream may have waiting for its client. */
  private static final int TICK_BACKLOG = 10_000;

  @GetMapping(path = "/sse", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  ResponseEntity<Flux<ServerSentEvent<String>>> seed(@RequestParam(name = "interval_ms", defaultValue = "1000") String intervalText) {
    double intervalMs = Query.positive(intervalText, MAX_INTERVAL_MS);
    if (Double.isNaN(intervalMs)) return ResponseEntity.badRequest().build();
    Duration pause = Duration.ofNanos(Math.round(intervalMs * 1e6));
    Flux<ServerSentEvent<String>> events = Flux.range(0, SEED_EVENTS)
        .concatMap(i -> Mono.just(ServerSentEvent.builder(String.valueOf(i)).build())
            .concatWith(Mono.delay(pause).then(Mono.empty())));
    return ResponseEntity.ok().header("Connection", "close").body(events);
  }

  @GetMapping(path = "/sse/ticks", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  ResponseEntity<Flux<ServerSentEvent<String>>> ticks(
      @RequestParam(name = "publish_hz", defaultValue = "10") String hzText,
      @RequestParam(name = "count", required = false) Long count,
      @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
    double hz = Query.positive(hzText, MAX_PUBLISH_HZ);
    if (Double.isNaN(hz) || (count != null && count < 0)) return ResponseEntity.badRequest().build();
    long first = firstSeq(lastEventId);
    // Flux.interval cannot wait for a slow consumer (it fails with "Could not emit tick"): the
    // ticks queue per stream, a bounded number, and a stream that falls further behind loses its
    // oldest (a gap in seq that the client sees).
    Flux<ServerSentEvent<String>> events = Flux.interval(Duration.ofNanos(Math.round(1e9 / hz)))
        .onBackpressureBuffer(TICK_BACKLOG, dropped -> {}, BufferOverflowStrategy.DROP_OLDEST)
        .map(n -> first + n)
        .map(seq -> ServerSentEvent.builder(Stamp.stamped(seq)).id(String.valueOf(seq)).build());
    return ResponseEntity.ok().body(count == null ? events : events.take(count));
  }

  private static long firstSeq(String lastEventId) {
    if (lastEventId == null) return 0;
    try {
      return Long.parseLong(lastEventId.trim()) + 1;
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
