/**
 * Binding a listener, shared by the single-process server and the cluster workers: resolves with
 * the bound port and turns the bind errors a user can fix into one-line usage errors.
 */
import type { AddressInfo, Server } from 'node:net';
import { UsageError } from '../errors.js';

/**
 * Listens on `host:port` and resolves with the bound port. `backlog` is the accept queue length
 * (the kernel caps it at `net.core.somaxconn`); Node's default of 511 is kept unless given.
 */
export function listen(server: Server, host: string, port: number, backlog?: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(describeListenError(err, host, port));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(backlog === undefined ? { host, port } : { host, port, backlog });
  });
}

/** A bind error as a `UsageError` naming what to change, or the error itself when unexpected. */
export function describeListenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (err.code) {
    case 'EADDRINUSE':
      return new UsageError(`port ${port} on ${host} is already in use (try --port 0)`);
    case 'EACCES':
      return new UsageError(`no permission to listen on port ${port} on ${host} (try a port above 1023, or --port 0)`);
    case 'EADDRNOTAVAIL':
      return new UsageError(`cannot listen on ${host}: it is not an address of this machine (try --host 127.0.0.1)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UsageError(`cannot resolve host ${host} (try --host 127.0.0.1)`);
    default:
      return err;
  }
}
