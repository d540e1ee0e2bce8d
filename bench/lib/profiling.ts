// `--profile DIR`: CPU profiles of the processes a scenario starts (node --cpu-prof), written when they exit.
import path from 'node:path';

let profileDir: string | null = null;

export function setProfileDir(dir: string | null): void {
  profileDir = dir === null ? null : path.resolve(dir);
}

export function getProfileDir(): string | null {
  return profileDir;
}

/** Node flags that make a process write its CPU profile under DIR/<label>/ on exit; none without --profile. */
export function profileArgs(label: string): string[] {
  return profileDir === null ? [] : ['--cpu-prof', '--cpu-prof-dir', path.join(profileDir, label)];
}
