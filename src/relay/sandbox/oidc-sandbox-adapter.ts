// The sandbox provider's storage (codes, sessions, grants, interactions): in this process's memory, with expiry. One
// provider process serves the sandbox, so nothing needs sharing; a restart asks whoever was signing in to start again.

type Payload = Record<string, unknown> & { uid?: string; userCode?: string; grantId?: string; consumed?: number };

interface Entry {
  readonly payload: Payload;
  readonly expiresAt: number | null;
}

/** Every model's entries, by model name then id; expired entries are dropped when next read. */
const models = new Map<string, Map<string, Entry>>();

export class SandboxAdapter {
  private readonly entries: Map<string, Entry>;

  constructor(name: string) {
    this.entries = models.get(name) ?? new Map<string, Entry>();
    models.set(name, this.entries);
  }

  async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
    this.entries.set(id, { payload, expiresAt: expiresIn === undefined ? null : Date.now() + expiresIn * 1000 });
  }

  async find(id: string): Promise<Payload | undefined> {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= Date.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.payload;
  }

  async findByUid(uid: string): Promise<Payload | undefined> {
    return this.findWhere((p) => p.uid === uid);
  }

  async findByUserCode(userCode: string): Promise<Payload | undefined> {
    return this.findWhere((p) => p.userCode === userCode);
  }

  async consume(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (entry !== undefined) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.entries.delete(id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const all of models.values()) for (const [id, entry] of all) if (entry.payload.grantId === grantId) all.delete(id);
  }

  private async findWhere(match: (payload: Payload) => boolean): Promise<Payload | undefined> {
    for (const [id, entry] of this.entries) if (match(entry.payload)) return this.find(id);
    return undefined;
  }
}
