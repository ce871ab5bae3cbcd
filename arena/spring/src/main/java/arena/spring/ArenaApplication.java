package arena.spring;

import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/**
 * The arena's Spring Boot server (arena/README.md has the contract): WebFlux on Reactor Netty,
 * bound to 127.0.0.1 on --port P, printing one ready line once the server listens.
 */
@SpringBootApplication
public class ArenaApplication {

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(ArenaApplication.class);
    app.setDefaultProperties(Map.of("server.port", portFrom(args)));
    app.addListeners((ApplicationListener<WebServerInitializedEvent>) event -> {
      System.out.println("listening on 127.0.0.1:" + event.getWebServer().getPort());
      System.out.flush();
    });
    app.run();
  }

  /** --port P, the arena's flag (Spring's own --server.port would need the command to differ per server). */
  static String portFrom(String[] args) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--port")) return args[i + 1];
    }
    return "60000";
  }
}
