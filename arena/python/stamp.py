"""The server publisher's message {"seq":n,"t":"<ns>"} that rtbench's listeners read."""

import time


def stamped(seq: int) -> str:
    # monotonic_ns is CLOCK_MONOTONIC on Linux, the clock behind Node's process.hrtime.
    return f'{{"seq":{seq},"t":"{time.monotonic_ns()}"}}'


def positive(text: str | None, default: float, maximum: float) -> float | None:
    """A query value as a number in (0, maximum], default when absent, None when invalid."""
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 < value <= maximum else None
