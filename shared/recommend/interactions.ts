/**
 * What a user did with a candidate, as the device stores it and a request carries it. The recommendation
 * layer reads a list of these; the server keeps none of them.
 */

/** Every interaction type, in the order documentation lists them. */
export const INTERACTION_TYPES = Object.freeze(['like', 'connect', 'pass', 'hide', 'view'] as const);

/** like / connect: positive feedback; pass: negative (cool-down); hide: never show again; view: it was shown. */
export type InteractionType = (typeof INTERACTION_TYPES)[number];

/** Most interactions one request may carry and the device keeps (oldest dropped first). */
export const MAX_INTERACTIONS = 1000;

/** One interaction with a candidate profile. */
export interface Interaction {
  /** The candidate's id; ids not among the candidates are ignored. */
  profile_id: string;
  type: InteractionType;
  /** ISO 8601 time with a zone; absent means "now" (full weight). */
  at?: string;
}

/** True for an interaction type nearfeed knows. */
export function isInteractionType(value: unknown): value is InteractionType {
  return typeof value === 'string' && (INTERACTION_TYPES as readonly string[]).includes(value);
}
