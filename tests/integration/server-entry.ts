// Runs the CLI from source (tsx) for the server tests, as bin/mlflow-ts.js runs the build.
import { main } from '../../src/cli/main.js';

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
