// What each part of the bench hands back to the runner: rows for the table, and notes on what bounds them.
import type { Row } from '../lib/table';

export interface Section {
  rows: Row[];
  notes: string[];
}

export type Progress = (line: string) => void;

export function verdict(met: boolean | null): string {
  return met === null ? 'not measured' : met ? 'met' : 'missed';
}
