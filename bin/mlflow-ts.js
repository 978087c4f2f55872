#!/usr/bin/env node
// Entry point of the `mlflow-ts` command: runs the compiled CLI (npm run build).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
