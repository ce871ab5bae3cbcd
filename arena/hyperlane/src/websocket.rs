//! The handshake and the seed's echo loop: read one message, process it, send it back.

use hyperlane::*;

/// Answers the upgrade (101 with the accept key) for every WebSocket route, as Hyperlane's
/// own examples do in a request middleware.
pub struct UpgradeMiddleware;

impl ServerHook for UpgradeMiddleware {
    async fn new(_: &mut Stream, _: &mut Context) -> Self {
        Self
    }

    async fn handle(self, stream: &mut Stream, ctx: &mut Context) -> Status {
        if !ctx.get_request().is_ws_upgrade_type() {
            return Status::Continue;
        }
        let Some(key) = ctx.get_request().try_get_header_back(SEC_WEBSOCKET_KEY) else {
            return Status::Continue;
        };
        let accept_key = WebSocketFrame::generate_accept_key(&key);
        let head = ctx
            .get_mut_response()
            .set_version(HttpVersion::Http1_1)
            .set_status_code(101)
            .set_header(UPGRADE, WEBSOCKET)
            .set_header(CONNECTION, UPGRADE)
            .set_header(SEC_WEBSOCKET_ACCEPT, &accept_key)
            .set_body(Vec::new())
            .build();
        if stream.try_send(head).await.is_err() {
            stream.set_closed(true);
            return Status::Reject;
        }
        Status::Continue
    }
}

/// The seed's `process_message` step: the echo sends back what came.
fn process_message(body: Vec<u8>) -> Vec<u8> {
    body
}

/// Sends one message the framework's way: `create_frame_list` picks Text or Binary.
pub async fn send_message(stream: &mut Stream, body: &[u8]) -> Result<(), ResponseError> {
    let frames = WebSocketFrame::create_frame_list(body);
    stream.try_send_list(&frames).await
}

pub struct EchoRoute;

impl ServerHook for EchoRoute {
    async fn new(_: &mut Stream, _: &mut Context) -> Self {
        Self
    }

    async fn handle(self, stream: &mut Stream, _: &mut Context) -> Status {
        while let Ok(body) = stream.try_get_websocket_request().await {
            if send_message(stream, &process_message(body)).await.is_err() {
                break;
            }
        }
        stream.set_closed(true);
        Status::Reject
    }
}
