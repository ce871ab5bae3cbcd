/**
 * Which session class runs each (protocol, role). A new role or protocol is a new file in
 * this folder plus a line here.
 */
import type { Protocol, Role } from '../../scenario/types.js';
import type { SessionFactory } from '../session.js';
import { createEchoSession } from './echo.js';
import { createFanoutSession } from './fanout.js';
import { createListenerSession } from './listener.js';

const FACTORIES: Partial<Record<`${Protocol}:${Role}`, SessionFactory>> = {
  'ws:echo': createEchoSession,
  'ws:publisher': createFanoutSession,
  'ws:subscriber': createFanoutSession,
  'ws:pubsub': createFanoutSession,
  'sse:listener': createListenerSession,
};

/** The factory for a group, or undefined when this build has none for it. */
export function sessionFactoryFor(protocol: Protocol, role: Role): SessionFactory | undefined {
  return FACTORIES[`${protocol}:${role}`];
}
