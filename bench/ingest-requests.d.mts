/** Types of `ingest-requests.mjs` (plain JavaScript, run by `node` in the ingest bench's load children). */

/** The headers Plane sends with an `issue` delivery of `body`, signed with `secret`, from address `index % sources`. */
export function deliveryHeaders(
  body: string,
  options: { secret: string; index: number; sources: number }
): Record<string, string>
