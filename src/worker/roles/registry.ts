/**
 * Which session class runs each (protocol, role), and the coordinator a role needs beside its
 * sessions (coordinator.ts). A new role or protocol is a new file in this folder plus a line
 * here; the engine, the pool and the runner do not change.
 */
import type { Protocol, Role, Scenario } from '../../scenario/types.js';
import type { MainCoordinator, WorkerCoordinator, WorkerCoordinatorContext } from '../coordinator.js';
import type { SessionFactory } from '../session.js';
import { createEchoSession } from './echo.js';
import { FanoutBook } from './fanout-book.js';
import { FANOUT_MAIN } from './fanout-main.js';
import { createFanoutSession } from './fanout.js';
import { createListenerSession } from './listener.js';

/** A coordinator's two sides. */
interface CoordinatorDefinition {
  worker(ctx: WorkerCoordinatorContext): WorkerCoordinator;
  main: MainCoordinator;
}

const COORDINATORS = {
  /** One fan-out book per worker, shared by the publisher, subscriber and pubsub groups. */
  fanout: {
    worker: (ctx) => new FanoutBook(ctx.scenario, ctx.workerIndex, ctx.workerCount, ctx.notes, ctx.shard),
    main: FANOUT_MAIN,
  },
} satisfies Record<string, CoordinatorDefinition>;

type CoordinatorName = keyof typeof COORDINATORS;

interface RoleDefinition {
  create: SessionFactory;
  coordinator?: CoordinatorName;
}

const ROLES: Partial<Record<`${Protocol}:${Role}`, RoleDefinition>> = {
  'ws:echo': { create: createEchoSession },
  'ws:publisher': { create: createFanoutSession, coordinator: 'fanout' },
  'ws:subscriber': { create: createFanoutSession, coordinator: 'fanout' },
  'ws:pubsub': { create: createFanoutSession, coordinator: 'fanout' },
  'sse:listener': { create: createListenerSession },
};

/** The role's definition, or undefined when this build has none for it. */
export function roleFor(protocol: Protocol, role: Role): RoleDefinition | undefined {
  return ROLES[`${protocol}:${role}`];
}

/** The coordinators the scenario's groups need, each once. */
function coordinatorNames(scenario: Scenario): CoordinatorName[] {
  const names = scenario.groups.flatMap((g) => roleFor(g.protocol, g.role)?.coordinator ?? []);
  return [...new Set(names)];
}

/** The worker-side coordinators of a worker running `ctx.scenario`. */
export function workerCoordinatorsFor(ctx: WorkerCoordinatorContext): Map<string, WorkerCoordinator> {
  return new Map(coordinatorNames(ctx.scenario).map((name) => [name, COORDINATORS[name].worker(ctx)]));
}

/** The main-side coordinators of a run of `scenario`. */
export function mainCoordinatorsFor(scenario: Scenario): Map<string, MainCoordinator> {
  return new Map(coordinatorNames(scenario).map((name) => [name, COORDINATORS[name].main]));
}
