/**
 * Gives the memory of a large request back once it has been handled. V8 collects its old
 * generation only when it allocates more, so an idle server would keep the hundreds of MB a
 * 64 MB body decoded into (the body Buffer, its text, the parsed JSON) for as long as it stays
 * idle. A full collection shortly after the last large request finishes returns them.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

function collector(): (() => void) | null {
  if (gc !== undefined) return gc;
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return (gc = existing);
  try {
    // Node's documented way to reach V8's collector without starting node with --expose-gc.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch {
    gc = null;
  }
  return gc;
}

const DELAY_MS = 250;
let timer: NodeJS.Timeout | undefined;

/** Runs one full collection DELAY_MS after the call, if `idle()` still holds then. */
export function relieveHeapSoon(idle: () => boolean): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = undefined;
    if (idle()) collector()?.();
  }, DELAY_MS);
  timer.unref();
}
