import pino, { type Logger } from 'pino';

/**
 * The process logger: JSON lines (one object per event) for machines, pino-pretty when a human
 * watches a TTY. Fastify and the Python child's output both go through it.
 */
export function createLogger(level: string, opts: { pretty: boolean; name?: string }): Logger {
  const base = { level, name: opts.name ?? 'mlflow-ts' };
  if (opts.pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name' },
      },
    });
  }
  // Synchronous writes: the last lines before process.exit (shutdown, fatal errors) must not be lost.
  return pino(base, pino.destination({ dest: 1, sync: true }));
}
