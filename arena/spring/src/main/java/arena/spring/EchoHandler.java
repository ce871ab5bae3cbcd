package arena.spring;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;

import reactor.core.publisher.Mono;

/** /websocket: every message back as it came, text or binary. */
@Component
class EchoHandler implements WebSocketHandler {
  @Override
  public Mono<Void> handle(WebSocketSession session) {
    return session.send(session.receive().map(Frame::of).map(frame -> frame.toMessage(session)));
  }
}
