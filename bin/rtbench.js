#!/usr/bin/env node
// Plain-JS entry Node runs as is: loads the compiled CLI and turns its result into the exit code.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
