// The relay's logger: the shared redacting logger, with phone numbers turned into keyed pseudonyms.
import { createHmac } from 'node:crypto';

export { createLogger, silentLogger, type LogFields, type LogLevel, type Logger, type LoggerOptions } from '../shared/structured-log';

/** A stable, keyed pseudonym: IT can follow one customer through the log without seeing the number. */
export function phonePseudonymizer(salt: string): (waId: string) => string {
  return (waId) => `wa_${createHmac('sha256', salt).update(waId).digest('hex').slice(0, 12)}`;
}
