//! `/sse`: the seed's stream (status 200 and the head, then `data:i` ten times with a sleep after
//! each event, then close). `?interval_ms=` shortens the sleep for tests.
//! `/sse/ticks`: stamped events `{"seq":n,"t":"<ns>"}` with `id:` at `?publish_hz=` (default
//! 10), resuming after `Last-Event-ID`; `?count=N` ends the stream after N events.

use std::time::Duration;

use hyperlane::*;

use crate::{query, stamp};

const SEED_EVENTS: usize = 10;
const MAX_INTERVAL_MS: f64 = 3_600_000.0;
const MAX_PUBLISH_HZ: f64 = 100_000.0;

/// Sends the SSE response head; false when the client is gone.
async fn send_head(stream: &mut Stream, ctx: &mut Context) -> bool {
    let head = ctx
        .get_mut_response()
        .set_version(HttpVersion::Http1_1)
        .set_status_code(200)
        .set_header(CONTENT_TYPE, TEXT_EVENT_STREAM)
        .set_body(Vec::new())
        .build();
    stream.try_send(head).await.is_ok()
}

async fn bad_request(stream: &mut Stream, ctx: &mut Context, why: &str) -> Status {
    let response = ctx
        .get_mut_response()
        .set_version(HttpVersion::Http1_1)
        .set_status_code(400)
        .set_body(format!("{why}\n"))
        .build();
    let _ = stream.try_send(response).await;
    stream.set_closed(true);
    Status::Reject
}

pub struct SeedRoute;

impl ServerHook for SeedRoute {
    async fn new(_: &mut Stream, _: &mut Context) -> Self {
        Self
    }

    async fn handle(self, stream: &mut Stream, ctx: &mut Context) -> Status {
        let Some(interval_ms) = query::positive(ctx, "interval_ms", 1000.0, MAX_INTERVAL_MS) else {
            return bad_request(stream, ctx, "interval_ms must be a number of milliseconds > 0").await;
        };
        if send_head(stream, ctx).await {
            for i in 0..SEED_EVENTS {
                if stream.try_send(format!("data:{i}{HTTP_DOUBLE_BR}")).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_secs_f64(interval_ms / 1000.0)).await;
            }
        }
        stream.set_closed(true);
        Status::Reject
    }
}

pub struct TicksRoute;

impl ServerHook for TicksRoute {
    async fn new(_: &mut Stream, _: &mut Context) -> Self {
        Self
    }

    async fn handle(self, stream: &mut Stream, ctx: &mut Context) -> Status {
        let Some(hz) = query::positive(ctx, "publish_hz", 10.0, MAX_PUBLISH_HZ) else {
            return bad_request(stream, ctx, "publish_hz must be a number > 0").await;
        };
        let count: Option<u64> = match ctx.get_request().try_get_query_back("count") {
            None => None,
            Some(text) => match text.parse() {
                Ok(n) => Some(n),
                Err(_) => return bad_request(stream, ctx, "count must be a whole number").await,
            },
        };
        let first: u64 = ctx
            .get_request()
            .try_get_header_back("last-event-id")
            .and_then(|id| id.trim().parse::<u64>().ok())
            .map_or(0, |id| id + 1);
        if send_head(stream, ctx).await {
            let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / hz));
            let mut seq = first;
            while count.is_none_or(|n| seq - first < n) {
                ticks.tick().await;
                let event = format!("id:{seq}\ndata:{}\n\n", stamp::stamped(seq));
                if stream.try_send(event).await.is_err() {
                    break;
                }
                seq += 1;
            }
        }
        stream.set_closed(true);
        Status::Reject
    }
}
