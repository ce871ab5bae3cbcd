/** The protocol drivers, one per protocol; a third protocol is a new file plus a line here. */
import type { Protocol } from '../scenario/types.js';
import type { ProtocolDriver } from './driver.js';
import { wsDriver } from './ws.js';

const DRIVERS: Partial<Record<Protocol, ProtocolDriver>> = { ws: wsDriver };

/** The driver for `protocol`; throws when this build has none. */
export function driverFor(protocol: Protocol): ProtocolDriver {
  const d = DRIVERS[protocol];
  if (!d) throw new Error(`no driver for protocol ${protocol}`);
  return d;
}
