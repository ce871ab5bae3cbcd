package arena.spring;

import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

/** A message's type and bytes, copied out of the pooled buffer Netty releases after the handler. */
record Frame(boolean text, byte[] data) {

  static Frame of(WebSocketMessage message) {
    byte[] data = new byte[message.getPayload().readableByteCount()];
    message.getPayload().read(data);
    return new Frame(message.getType() == WebSocketMessage.Type.TEXT, data);
  }

  WebSocketMessage toMessage(WebSocketSession session) {
    return text
        ? new WebSocketMessage(WebSocketMessage.Type.TEXT, session.bufferFactory().wrap(data))
        : session.binaryMessage(factory -> factory.wrap(data));
  }
}
