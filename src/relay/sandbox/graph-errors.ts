// Error answers in the Graph API's shape, so the relay's adapter parses the sandbox like Meta.
import { newFbTraceId } from './sandbox-ids';

export interface GraphProblem {
  readonly httpStatus: number;
  readonly code: number;
  /** Meta's short title, e.g. "Invalid parameter"; the body's message reads "(#code) title". */
  readonly title: string;
  readonly details?: string;
  readonly subcode?: number;
}

export function graphErrorBody(problem: GraphProblem): { error: Record<string, unknown> } {
  const error: Record<string, unknown> = {
    message: `(#${problem.code}) ${problem.title}`,
    type: 'OAuthException',
    code: problem.code,
  };
  if (problem.subcode !== undefined) error['error_subcode'] = problem.subcode;
  if (problem.details !== undefined) error['error_data'] = { messaging_product: 'whatsapp', details: problem.details };
  error['fbtrace_id'] = newFbTraceId();
  return { error };
}

export const invalidParameter = (details: string): GraphProblem => ({ httpStatus: 400, code: 100, title: 'Invalid parameter', details });

export const INVALID_TOKEN: GraphProblem = {
  httpStatus: 401,
  code: 190,
  title: 'Invalid OAuth access token - Cannot parse access token',
};

export const unknownObject = (id: string, method: 'get' | 'post'): GraphProblem => ({
  httpStatus: 400,
  code: 100,
  subcode: 33,
  title: `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
});

export const UNKNOWN_PATH: GraphProblem = { httpStatus: 404, code: 2500, title: 'Unknown path components' };

export const SERVER_ERROR: GraphProblem = {
  httpStatus: 500,
  code: 131000,
  title: 'Something went wrong',
  details: 'Something went wrong. (sandbox fault injection)',
};

/** Meta answers its throughput limit with HTTP 400, not 429 (graph-error-130429.json). */
export const THROTTLED: GraphProblem = {
  httpStatus: 400,
  code: 130429,
  title: 'Rate limit hit',
  details: 'Cloud API message throughput has been reached.',
};

export const INVALID_JSON: GraphProblem = invalidParameter('The request body is not valid JSON.');

export const TOO_LARGE = (limitBytes: number): GraphProblem => ({
  httpStatus: 413,
  code: 100,
  title: 'Request entity too large',
  details: `The request body exceeds ${limitBytes} bytes.`,
});
