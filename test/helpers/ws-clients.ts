/** `ws` clients that keep what they receive, for tests that check messages after the fact. */
import { WebSocket } from 'ws';

/** One message as a `ws` client received it. */
export interface Received {
  data: Buffer;
  isBinary: boolean;
}

/**
 * Opens a client to ws://127.0.0.1:`port``path`, adds it to `opened` at once (for clean-up),
 * and records every message it receives from the start.
 */
export function openRecordingClient(port: number, path: string, opened: Set<WebSocket>): Promise<{ ws: WebSocket; received: Received[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    const received: Received[] = [];
    opened.add(ws);
    ws.on('message', (data, isBinary) => received.push({ data: data as Buffer, isBinary }));
    ws.once('open', () => resolve({ ws, received }));
    ws.once('error', reject);
  });
}
