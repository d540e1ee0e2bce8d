// The relay's command names, and what to say when one is mistyped: the nearest name, never a complaint about settings.
import { ADMIN_COMMANDS } from './admin-commands';

const GROUPS = [...Object.keys(ADMIN_COMMANDS), 'audit', 'backup'];

/** Edits (insert, delete, substitute, swap two neighbours) from a to b: names are short, so the plain table is enough. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

function nearest(word: string, names: readonly string[]): string | null {
  const scored = names.map((name) => ({ name, d: name.startsWith(word.toLowerCase()) ? 0 : distance(word.toLowerCase(), name) }));
  const best = scored.sort((x, y) => x.d - y.d)[0];
  return best !== undefined && best.d <= Math.max(1, Math.floor(best.name.length / 3)) ? best.name : null;
}

const quoted = (word: string) => `'${word.slice(0, 40)}'`;

/** Why these positionals name no command (null when they do, or when there are none: then the relay starts). */
export function unknownCommand(positionals: readonly string[]): string | null {
  const [group, command] = positionals;
  if (group === undefined || group === 'audit' || group === 'backup') return null;
  if (!(group in ADMIN_COMMANDS)) {
    const guess = nearest(group, GROUPS);
    return `unknown command ${quoted(group)}; ${guess === null ? `the commands are ${GROUPS.join(', ')}` : `did you mean ${quoted(guess)}?`}`;
  }
  const commands = Object.keys(ADMIN_COMMANDS[group as keyof typeof ADMIN_COMMANDS]);
  if (command === undefined) return `${group} needs a command: ${commands.join(', ')}`;
  if (commands.includes(command)) return null;
  const guess = nearest(command, commands);
  return `unknown command ${quoted(`${group} ${command}`)}; ${guess === null ? `${group} has ${commands.join(', ')}` : `did you mean ${quoted(`${group} ${guess}`)}?`}`;
}
