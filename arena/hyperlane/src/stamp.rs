//! The server publisher's stamp `{"seq":n,"t":"<ns>"}`, read by rtbench's fan-out and SSE
//! listeners as one-way latency on the host's shared monotonic clock.

/// CLOCK_MONOTONIC in nanoseconds: the clock behind Node's `process.hrtime`, so a client on this
/// host can subtract it from its own receive time (`Instant` hides its value).
pub fn monotonic_ns() -> u128 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime only writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u128 * 1_000_000_000 + ts.tv_nsec as u128
}

pub fn stamped(seq: u64) -> String {
    format!("{{\"seq\":{seq},\"t\":\"{}\"}}", monotonic_ns())
}
