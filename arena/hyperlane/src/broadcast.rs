//! `/broadcast`: the seed's fan-out. One `tokio::sync::broadcast` channel of capacity 100; every
//! client message goes to every subscriber, the sender included; a lagged receiver skips what
//! it lost (`recv` errors ignored, as the docs' example). `?publish_hz=H` joins a channel of its
//! own that a server task feeds with stamped messages H times a second.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use hyperlane::*;
use tokio::sync::broadcast::{self, Sender, error::RecvError};

use crate::{query, stamp, websocket::send_message};

/// The seed's capacity.
const CAPACITY: usize = 100;
const MAX_PUBLISH_HZ: f64 = 100_000.0;

/// Channels by name: "" for the clients' own, the `publish_hz` text for a published one.
static CHANNELS: OnceLock<Mutex<HashMap<String, Sender<Vec<u8>>>>> = OnceLock::new();

/// The channel `name`, created on first use; a published one starts its publisher then, which
/// runs until the server exits so its `seq` never restarts.
fn channel(name: &str, publish_hz: Option<f64>) -> Sender<Vec<u8>> {
    let mut channels = CHANNELS.get_or_init(Default::default).lock().unwrap();
    if let Some(sender) = channels.get(name) {
        return sender.clone();
    }
    let (sender, _) = broadcast::channel(CAPACITY);
    if let Some(hz) = publish_hz {
        let publisher = sender.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / hz));
            for seq in 0u64.. {
                ticks.tick().await;
                // No receiver at the moment is not an error for a publisher.
                let _ = publisher.send(stamp::stamped(seq).into_bytes());
            }
        });
    }
    channels.insert(name.to_owned(), sender.clone());
    sender
}

pub struct BroadcastRoute {
    sender: Option<Sender<Vec<u8>>>,
}

impl ServerHook for BroadcastRoute {
    async fn new(_: &mut Stream, ctx: &mut Context) -> Self {
        let published = ctx.get_request().try_get_query_back("publish_hz");
        let sender = match published {
            None => Some(channel("", None)),
            Some(name) => query::positive(ctx, "publish_hz", 1.0, MAX_PUBLISH_HZ).map(|hz| channel(&name, Some(hz))),
        };
        Self { sender }
    }

    async fn handle(self, stream: &mut Stream, _: &mut Context) -> Status {
        // A bad publish_hz: the upgrade already happened in the middleware, so the socket is closed.
        if let Some(sender) = self.sender {
            let mut receiver = sender.subscribe();
            loop {
                tokio::select! {
                    request = stream.try_get_websocket_request() => match request {
                        Ok(body) => { let _ = sender.send(body); }
                        Err(_) => break,
                    },
                    message = receiver.recv() => match message {
                        Ok(body) => if send_message(stream, &body).await.is_err() { break },
                        Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => break,
                    },
                }
            }
        }
        stream.set_closed(true);
        Status::Reject
    }
}
