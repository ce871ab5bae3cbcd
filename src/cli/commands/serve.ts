/** `rtbench serve`: the bundled reference server in the foreground (implementation: src/server/). */
import type { CommandSpec } from './registry.js';

export const serveCommand: CommandSpec = {
  usage: 'serve',
  describe: 'Run the bundled reference server (WebSocket echo/broadcast, SSE streams, /stats)',
  examples: [
    ['$0 serve', 'listen on 127.0.0.1:60000'],
    ['$0 serve --port 0 --echo-delay 20', 'pick a free port; delay each echo by 20 ms'],
    ['$0 serve --publish-interval 100ms', 'publish a stamped message to /broadcast every 100 ms'],
  ],
  build: (y) => y,
  run: async () => {
    throw new Error('serve: not implemented yet');
  },
};
