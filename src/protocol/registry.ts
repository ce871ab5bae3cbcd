/** The protocol drivers, one per protocol; a third protocol is a new file plus a line here. */
import type { Protocol, SseClient } from '../scenario/types.js';
import type { ProtocolDriver, SseDriver } from './driver.js';
import { sseDriver } from './sse.js';
import { eventSourceDriver } from './sse-eventsource.js';
import { wsDriver } from './ws.js';

const DRIVERS: Partial<Record<Protocol, ProtocolDriver>> = { ws: wsDriver, sse: sseDriver };

/** SSE clients by `--sse-client` name: the default, and the `eventsource` package. */
const SSE_DRIVERS: Record<SseClient, SseDriver> = { http: sseDriver, eventsource: eventSourceDriver };

/** The driver for `protocol` (for SSE, the chosen client's); throws when this build has none. */
export function driverFor(protocol: Protocol, sseClient?: SseClient): ProtocolDriver {
  const d = protocol === 'sse' && sseClient !== undefined ? SSE_DRIVERS[sseClient] : DRIVERS[protocol];
  if (!d) throw new Error(`no driver for protocol ${protocol}`);
  return d;
}
