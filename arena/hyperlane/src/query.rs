//! Query parameters shared by the routes.

use hyperlane::*;

/// The last value of `?name=` as a number, `default` when absent; `None` when present but
/// not a finite number > 0 and <= `max`.
pub fn positive(ctx: &Context, name: &str, default: f64, max: f64) -> Option<f64> {
    match ctx.get_request().try_get_query_back(name) {
        None => Some(default),
        Some(text) => text.parse::<f64>().ok().filter(|v| v.is_finite() && *v > 0.0 && *v <= max),
    }
}
