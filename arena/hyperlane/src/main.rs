//! The arena's Hyperlane server (arena/README.md has the contract): the seed's handlers on the
//! real `hyperlane` crate, bound to 127.0.0.1 on `--port P`, printing one ready line.

mod broadcast;
mod query;
mod sse;
mod stamp;
mod websocket;

use hyperlane::*;

/// `--port P` (default 60000, the seed's port).
fn port_from_args() -> u16 {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == "--port") {
        Some(i) => args
            .get(i + 1)
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                eprintln!("usage: arena-hyperlane --port P");
                std::process::exit(2);
            }),
        None => 60000,
    }
}

#[tokio::main]
async fn main() {
    let port = port_from_args();
    let mut config = ServerConfig::default();
    config.set_address(format!("127.0.0.1:{port}"));
    let mut server = Server::default();
    server
        .server_config(config)
        // The benchmark servers' setting (no read timeout, large limits): an idle client is never dropped.
        .request_config(RequestConfig::low_security())
        .request_middleware::<websocket::UpgradeMiddleware>()
        .route::<websocket::EchoRoute>("/websocket")
        .route::<broadcast::BroadcastRoute>("/broadcast")
        .route::<sse::SeedRoute>("/sse")
        .route::<sse::TicksRoute>("/sse/ticks");
    let control = match server.run().await {
        Ok(control) => control,
        Err(error) => {
            eprintln!("arena-hyperlane: cannot listen on 127.0.0.1:{port}: {error:?}");
            std::process::exit(1);
        }
    };
    // run() has bound the listener, so the ready line is true when printed.
    println!("listening on 127.0.0.1:{port}");
    control.wait().await;
}
