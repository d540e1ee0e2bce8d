// Machine policy: the JSON file IT deploys (GPO, Intune, MDM, config management) that fixes settings on a desktop.
// Each section is checked on its own, so one bad key falls back to its safe default and is reported by name.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { NotificationPrivacy, RelayUrl } from '../../shared/contract';
import { refusedPlainRelayHost } from './domain/relay-transport-rule';

/**
 * Where IT puts the file, per OS (docs/it-guide.md). Fixed paths only: on Windows not %ProgramData%, which any user can
 * set for the processes they start, so it could point the app at a policy of their own.
 */
export function machinePolicyPath(platform: NodeJS.Platform): string {
  switch (platform) {
    case 'win32':
      return path.win32.join('C:\\ProgramData', 'Branchline', 'policy.json');
    case 'darwin':
      return '/Library/Application Support/Branchline/policy.json';
    default:
      return '/etc/branchline/policy.json';
  }
}

const HttpsUrl = z
  .string()
  .url()
  .refine((u) => u.startsWith('https://'), 'must be an https:// URL');
const ProxySetting = z.union([
  z.literal('system'),
  z.literal('direct'),
  z.string().regex(/^http:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/, 'must be "system", "direct" or http://host:port'),
]);

/** HPKP's pin-sha256: the base64 SHA-256 of a certificate's SubjectPublicKeyInfo (the leaf's or any CA's in the chain). */
const SpkiPin = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be a base64 SHA-256 of a SubjectPublicKeyInfo (44 characters, as HPKP pin-sha256)');

const SECTIONS = {
  relay: z
    .object({
      url: RelayUrl.optional(),
      allowUserOverride: z.boolean().optional(),
      allowInsecure: z.boolean().optional(),
      pins: z.array(SpkiPin).min(1).max(16).optional(),
    })
    .strict(),
  network: z.object({ caFile: z.string().min(1).max(1_024).optional(), proxy: ProxySetting.optional() }).strict(),
  notifications: z.object({ privacy: NotificationPrivacy.optional(), privacyDefault: NotificationPrivacy.optional() }).strict(),
  updates: z.object({ enabled: z.boolean().optional(), feedUrl: HttpsUrl.optional(), channel: z.enum(['stable', 'beta']).optional() }).strict(),
  retention: z.object({ days: z.number().int().min(1).max(3_650).optional() }).strict(),
  logging: z.object({ level: z.enum(['error', 'warn', 'info', 'debug']).optional() }).strict(),
} as const;

export interface EffectivePolicy {
  /** allowUserOverride is false by default once IT sets url; pins are empty when the relay is not pinned. */
  relay: { url: string | null; allowUserOverride: boolean; allowInsecure: boolean; pins: readonly string[] };
  network: { caFile: string | null; proxy: 'system' | 'direct' | string };
  notifications: { privacy: 'show' | 'hide' | 'off' | null; privacyDefault: 'show' | 'hide' | 'off' | null };
  updates: { enabled: boolean; feedUrl: string | null; channel: 'stable' | 'beta' };
  retention: { days: number };
  logging: { level: 'error' | 'warn' | 'info' | 'debug' };
}

/** What a desktop without a (valid) policy does: nothing locked, no updates without a feed, 90 days kept. */
export const SAFE_DEFAULTS: EffectivePolicy = {
  relay: { url: null, allowUserOverride: true, allowInsecure: false, pins: [] },
  network: { caFile: null, proxy: 'system' },
  notifications: { privacy: null, privacyDefault: null },
  updates: { enabled: false, feedUrl: null, channel: 'stable' },
  retention: { days: 90 },
  logging: { level: 'info' },
};

export interface PolicyProblem {
  /** The failing key, e.g. "updates.feedUrl", or "(file)" when the file itself is unreadable. */
  key: string;
  message: string;
}

export interface LoadedPolicy {
  policy: EffectivePolicy;
  problems: PolicyProblem[];
  /** The file read, or null when there is none (an unmanaged desktop). */
  source: string | null;
}

/** Reads and checks the policy file; never throws. A missing file is not a problem: the desktop is unmanaged. */
export function loadPolicy(file: string, readFile: (file: string) => string | null): LoadedPolicy {
  let text: string | null;
  try {
    text = readFile(file);
  } catch (error) {
    return { policy: SAFE_DEFAULTS, problems: [{ key: '(file)', message: `cannot read ${file}: ${(error as Error).message}` }], source: file };
  }
  if (text === null) return { policy: SAFE_DEFAULTS, problems: [], source: null };
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, '')); // Notepad writes a BOM
  } catch {
    return { policy: SAFE_DEFAULTS, problems: [{ key: '(file)', message: `${file} is not valid JSON; every setting uses its safe default` }], source: file };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { policy: SAFE_DEFAULTS, problems: [{ key: '(file)', message: `${file} must hold a JSON object` }], source: file };
  }
  return parsePolicy(json as Record<string, unknown>, file);
}

/** The policy file at `file`, read from disk; a missing file is "no policy", an unreadable one a problem IT sees. */
export function loadPolicyFile(file: string | null): LoadedPolicy {
  if (file === null) return { policy: SAFE_DEFAULTS, problems: [], source: null };
  return loadPolicy(file, (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  });
}

export function parsePolicy(json: Record<string, unknown>, source: string | null): LoadedPolicy {
  const problems: PolicyProblem[] = [];
  const policy = structuredClone(SAFE_DEFAULTS);
  for (const key of Object.keys(json)) {
    // Own keys only: `in` would take "__proto__", "constructor" or "toString" for sections and say nothing.
    if (Object.hasOwn(SECTIONS, key)) continue;
    const shown = key.length > 64 ? `${key.slice(0, 64)}…` : key;
    problems.push({ key: shown, message: `unknown key "${shown}" (ignored)` });
  }
  for (const section of Object.keys(SECTIONS) as (keyof typeof SECTIONS)[]) {
    const value = json[section];
    if (value === undefined) continue;
    const parsed = SECTIONS[section].safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues.slice(0, 5)) {
        const key = [section, ...issue.path.map(String)].join('.');
        const message = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.map((k) => `"${section}.${k}"`).join(', ')}` : issue.message;
        problems.push({ key: issue.code === 'unrecognized_keys' ? section : key, message: `${message}; the safe default is used` });
      }
      continue; // the whole section keeps its safe defaults: a half-applied section could be worse than none
    }
    Object.assign(policy[section], Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)));
  }
  relayRules(json['relay'], policy, problems);
  if (policy.updates.enabled && policy.updates.feedUrl === null) {
    problems.push({ key: 'updates.feedUrl', message: 'updates are enabled but no feedUrl is set; updates stay off' });
    policy.updates.enabled = false;
  }
  return { policy, problems, source };
}

/** Notifications show on a locked screen, to whoever stands at the branch desk: the text is hidden until IT or the agent chooses to show it. */
export const DEFAULT_NOTIFICATION_PRIVACY = 'hide';

/** A relay IT fixed is the only one unless IT says otherwise; a plain relay the consoles will refuse is named now. */
function relayRules(section: unknown, policy: EffectivePolicy, problems: PolicyProblem[]): void {
  const explicit = SECTIONS.relay.safeParse(section);
  if (policy.relay.url !== null && !(explicit.success && explicit.data.allowUserOverride !== undefined)) policy.relay.allowUserOverride = false;
  if (policy.relay.url !== null && refusedPlainRelayHost(policy.relay.url, policy.relay.allowInsecure) !== null) {
    problems.push({
      key: 'relay.url',
      message: 'is not encrypted (ws:// or http://) and not on this computer: consoles refuse it unless relay.allowInsecure is true',
    });
  }
}

/**
 * Defaults < the agent's own settings < policy. Returns the effective value and whether IT fixed it
 * (so the settings screen can show it locked).
 */
export function effectiveNotificationPrivacy(
  policy: EffectivePolicy,
  userChoice: 'show' | 'hide' | 'off' | undefined,
): { value: 'show' | 'hide' | 'off'; locked: boolean } {
  if (policy.notifications.privacy !== null) return { value: policy.notifications.privacy, locked: true };
  return { value: userChoice ?? policy.notifications.privacyDefault ?? DEFAULT_NOTIFICATION_PRIVACY, locked: false };
}
