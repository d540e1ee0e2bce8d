// The fast subset in vitest: one scenario at its fast scale, with a fixed seed, must break nothing.
import { expect, it } from 'vitest';
import { problems } from './figures';
import { runScenario, type Scenario } from './scenario';

export function fastScenario(scenario: Scenario, expectations: { timeoutMs: number; minBadInputs?: number; minSent?: number; minFaults?: number }): void {
  it(`${scenario.name}: ${scenario.title}`, { timeout: expectations.timeoutMs }, async () => {
    const { figures } = await runScenario(scenario, { scale: 'fast', seed: Number(process.env['FAULTS_SEED'] ?? 20261124) });
    expect(problems(figures)).toEqual([]);
    expect(figures.lost + figures.duplicated + figures.outOfOrder + figures.inboundMissing + figures.inboundDuplicated + figures.accepted + figures.leaks).toBe(
      0,
    );
    // The scenario really did something: a suite that silently skipped its work would pass too.
    expect(figures.badInputs).toBeGreaterThanOrEqual(expectations.minBadInputs ?? 0);
    expect(figures.sent).toBeGreaterThanOrEqual(expectations.minSent ?? 0);
    expect(figures.faults).toBeGreaterThanOrEqual(expectations.minFaults ?? 0);
  });
}
