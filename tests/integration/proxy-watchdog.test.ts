import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WATCHDOG } from '../../src/proxy/child-command.js';
import { TEST_PYTHON, groupMembers } from './server-harness.js';

describe('the Python child watchdog', () => {
  it('passes the exit status of the server through', async () => {
    const p = spawn(TEST_PYTHON, ['-c', WATCHDOG, TEST_PYTHON, '-c', 'import sys; sys.exit(3)'], {
      detached: true,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => p.once('exit', (c) => r(c)));
    expect(err).toBe('');
    expect(code).toBe(3);
  });

  it('takes its whole process group down when mlflow-ts goes away (stdin closes)', async () => {
    const p = spawn(TEST_PYTHON, ['-c', WATCHDOG, 'sh', '-c', 'sleep 300 & sleep 300'], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const pgid = p.pid!;
    await new Promise((r) => setTimeout(r, 500));
    expect((await groupMembers(pgid)).length).toBeGreaterThanOrEqual(3);
    p.stdin!.destroy();
    const deadline = Date.now() + 10_000;
    while ((await groupMembers(pgid)).length > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(await groupMembers(pgid)).toEqual([]);
  });
});
