/**
 * What the proxy knows about the Python child: where it listens and whether it is up. In a
 * single process the supervisor updates it directly.
 */
export type ChildStatus = 'starting' | 'up' | 'down' | 'stopping';

export interface ChildLinkState {
  status: ChildStatus;
  port: number | undefined;
  /** Why the child is not up (for the 503 message). */
  reason?: string | undefined;
}

export class ChildLink {
  private state: ChildLinkState = { status: 'starting', port: undefined };
  private readonly listeners = new Set<(s: ChildLinkState) => void>();

  get current(): Readonly<ChildLinkState> {
    return this.state;
  }

  update(next: ChildLinkState): void {
    this.state = { ...next };
    for (const l of this.listeners) l(this.state);
  }

  onChange(listener: (s: ChildLinkState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
