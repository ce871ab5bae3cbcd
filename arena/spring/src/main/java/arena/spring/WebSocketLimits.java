package arena.spring;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;

import reactor.netty.http.server.WebsocketServerSpec;

/**
 * Reactor Netty closes a connection on a frame over 64 KiB; the other arena servers take
 * messages of many megabytes, so this one does too.
 */
@Configuration
class WebSocketLimits implements WebFluxConfigurer {
  /** 64 MiB: far above any benchmark message, still a bound. */
  private static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

  @Override
  public WebSocketService getWebSocketService() {
    return new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy(
        () -> WebsocketServerSpec.builder().maxFramePayloadLength(MAX_MESSAGE_BYTES)));
  }
}
