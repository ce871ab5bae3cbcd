package arena.spring;

import java.util.Map;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;

/** WebSocket paths, ahead of the annotated controllers (Spring's documented WebFlux setup). */
@Configuration
class WebSocketRoutes {
  @Bean
  HandlerMapping webSocketMapping(EchoHandler echo, BroadcastHandler broadcast) {
    return new SimpleUrlHandlerMapping(Map.of("/websocket", echo, "/broadcast", broadcast), -1);
  }
}
