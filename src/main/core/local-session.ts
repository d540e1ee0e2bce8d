// The desktop's single rows and small tables: who is signed in where, the sync cursor, the agent's settings, drafts, templates.
import { z } from 'zod';
import { Directory, type SessionAgent, type Settings } from '../../shared/contract';
import { Role, TeamRef, Template } from '../../shared/domain';
import type { LocalDatabase } from './local-db';
import { jsonColumn, parseRow } from '../../node-shared/stored-row';

export interface SessionState {
  deviceId: string;
  relayUrl: string | null;
  /** What the sign-in screen offers again after a sign-out. */
  lastRelayUrl: string | null;
  /** Who a hello last named here, with their role and teams (a cache from before need-to-know: role 'agent', no teams). */
  agent: SessionAgent | null;
  /** Fingerprint of the token that hello answered: the cursor and the agent on record belong to it. */
  agentKey: string | null;
  /** The last relay event committed here; null until a first sync finished. */
  cursor: number | null;
}

const SessionRow = z
  .object({
    device_id: z.string(),
    relay_url: z.string().nullable(),
    last_relay_url: z.string().nullable(),
    agent_id: z.string().nullable(),
    agent_name: z.string().nullable(),
    agent_role: Role.nullable(),
    agent_teams: z.union([z.null(), jsonColumn(z.array(TeamRef))]),
    agent_key: z.string().nullable(),
    cursor: z.number().int().nullable(),
  })
  .transform((r): SessionState => ({
    deviceId: r.device_id,
    relayUrl: r.relay_url,
    lastRelayUrl: r.last_relay_url,
    agent: r.agent_id === null ? null : { id: r.agent_id, name: r.agent_name ?? r.agent_id, role: r.agent_role ?? 'agent', teams: r.agent_teams ?? [] },
    agentKey: r.agent_key,
    cursor: r.cursor,
  }));

const DirectoryRow = z.object({ data: jsonColumn(Directory) }).transform((r) => r.data);

const Flag = z
  .number()
  .int()
  .nullable()
  .transform((v) => (v === null ? undefined : v === 1));
const SettingsRow = z.object({
  notification_privacy: z
    .enum(['show', 'hide', 'off'])
    .nullable()
    .transform((v) => v ?? undefined),
  sounds: Flag,
  close_to_tray: Flag,
  theme: z
    .enum(['system', 'light', 'dark'])
    .nullable()
    .transform((v) => v ?? undefined),
});

const TemplateRow = z
  .object({ name: z.string(), language: z.string(), category: z.string(), body: z.string(), parameter_count: z.number().int() })
  .transform((r) => ({ name: r.name, language: r.language, category: r.category, body: r.body, parameterCount: r.parameter_count }))
  .pipe(Template);

export class SessionTable {
  private readonly statements;

  constructor(private readonly db: LocalDatabase) {
    this.statements = {
      session: db.prepare<[], unknown>(
        'SELECT device_id, relay_url, last_relay_url, agent_id, agent_name, agent_role, agent_teams, agent_key, cursor FROM session WHERE id = 1',
      ),
      cursor: db.prepare<[], { cursor: number | null }>('SELECT cursor FROM session WHERE id = 1'),
      setCursor: db.prepare<[number]>('UPDATE session SET cursor = ? WHERE id = 1'),
      draft: db.prepare<[string], { text: string }>('SELECT text FROM drafts WHERE conversation_id = ?'),
    };
  }

  get(): SessionState {
    return parseRow('session', SessionRow, this.statements.session.get());
  }

  cursor(): number | null {
    return this.statements.cursor.get()?.cursor ?? null;
  }

  setCursor(seq: number): void {
    this.statements.setCursor.run(seq);
  }

  setRelayUrl(relayUrl: string | null): void {
    this.db.prepare('UPDATE session SET relay_url = ? WHERE id = 1').run(relayUrl);
  }

  setLastRelayUrl(relayUrl: string): void {
    this.db.prepare('UPDATE session SET last_relay_url = ? WHERE id = 1').run(relayUrl);
  }

  /**
   * Who the relay says is signed in, and the fingerprint of the token it answered; kept so the next start shows the
   * agent before the link is up. Returns whether anything changed.
   */
  setAgent(agent: SessionAgent | null, key: string | null = this.get().agentKey): boolean {
    const current = this.get();
    if (JSON.stringify(current.agent) === JSON.stringify(agent) && current.agentKey === key) return false;
    this.db
      .prepare('UPDATE session SET agent_id = ?, agent_name = ?, agent_role = ?, agent_teams = ?, agent_key = ? WHERE id = 1')
      .run(agent?.id ?? null, agent?.name ?? null, agent?.role ?? null, agent === null ? null : JSON.stringify(agent.teams), key);
    return true;
  }

  /** Forgets the sync cursor: the next connection starts with a resync. */
  resetCursor(): void {
    this.db.prepare('UPDATE session SET cursor = NULL WHERE id = 1').run();
  }

  /** directory.get as this agent last fetched it, or null. */
  directory(agentId: string): Directory | null {
    const row = this.db.prepare<[string], unknown>('SELECT data FROM directory WHERE agent_id = ?').get(agentId);
    return row === undefined ? null : parseRow('directory', DirectoryRow, row);
  }

  setDirectory(agentId: string, directory: Directory): void {
    this.db
      .prepare(
        'INSERT INTO directory (agent_id, data, fetched_at) VALUES (?, ?, ?) ON CONFLICT (agent_id) DO UPDATE SET data = excluded.data, fetched_at = excluded.fetched_at',
      )
      .run(agentId, JSON.stringify(directory), directory.fetchedAt);
  }

  /** What the agent chose; unset keys fall back to policy and defaults (the settings service decides). */
  userSettings(): Partial<Settings> {
    const row = parseRow('user_settings', SettingsRow, this.db.prepare('SELECT * FROM user_settings WHERE id = 1').get());
    const chosen: Partial<Settings> = {};
    if (row.notification_privacy !== undefined) chosen.notificationPrivacy = row.notification_privacy;
    if (row.sounds !== undefined) chosen.sounds = row.sounds;
    if (row.close_to_tray !== undefined) chosen.closeToTray = row.close_to_tray;
    if (row.theme !== undefined) chosen.theme = row.theme;
    return chosen;
  }

  setUserSettings(patch: Partial<Settings>): void {
    const flag = (value: boolean | undefined) => (value === undefined ? undefined : Number(value));
    const columns: [string, string | number | undefined][] = [
      ['notification_privacy', patch.notificationPrivacy],
      ['sounds', flag(patch.sounds)],
      ['close_to_tray', flag(patch.closeToTray)],
      ['theme', patch.theme],
    ];
    for (const [column, value] of columns) if (value !== undefined) this.db.prepare(`UPDATE user_settings SET ${column} = ? WHERE id = 1`).run(value);
  }

  /** The relay's template list as last fetched, or null when it never was. */
  templates(): Template[] | null {
    const fetched = this.db.prepare<[], { templates_fetched_at: number | null }>('SELECT templates_fetched_at FROM session WHERE id = 1').get();
    if (fetched?.templates_fetched_at === null || fetched === undefined) return null;
    return this.db
      .prepare<[], unknown>('SELECT * FROM templates ORDER BY name, language')
      .all()
      .map((row) => parseRow('templates', TemplateRow, row));
  }

  setTemplates(templates: readonly Template[], now: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM templates').run();
      const insert = this.db.prepare('INSERT OR REPLACE INTO templates (name, language, category, body, parameter_count) VALUES (?, ?, ?, ?, ?)');
      for (const t of templates) insert.run(t.name, t.language, t.category, t.body, t.parameterCount);
      this.db.prepare('UPDATE session SET templates_fetched_at = ? WHERE id = 1').run(now);
    })();
  }

  draft(conversationId: string): string {
    return this.statements.draft.get(conversationId)?.text ?? '';
  }

  saveDraft(conversationId: string, text: string, now: number): void {
    if (text === '') this.db.prepare('DELETE FROM drafts WHERE conversation_id = ?').run(conversationId);
    else
      this.db
        .prepare(
          'INSERT INTO drafts (conversation_id, text, updated_at) VALUES (?, ?, ?) ON CONFLICT (conversation_id) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at',
        )
        .run(conversationId, text, now);
  }

  /** Moves a draft to another conversation; when both have one, the moved text follows the other's on a new line. */
  moveDraft(from: string, to: string): void {
    const moving = this.db.prepare<[string], { text: string; updated_at: number }>('SELECT text, updated_at FROM drafts WHERE conversation_id = ?').get(from);
    if (moving === undefined) return;
    const existing = this.draft(to);
    this.saveDraft(to, existing === '' ? moving.text : `${existing}\n${moving.text}`, moving.updated_at);
    this.db.prepare('DELETE FROM drafts WHERE conversation_id = ?').run(from);
  }
}
