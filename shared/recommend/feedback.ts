/**
 * Interactions summarised per candidate: what to leave out (hidden, acted on, passed in the cool-down), how
 * much fatigue holds back the rest, and which profiles feed the taste vector with which recency weight.
 *
 * Rules, per profile id:
 * - `hide` at any time: never shown again.
 * - The latest of like / connect / pass decides (later in the list wins a tie in time):
 *   like / connect: a positive for the taste vector, and out of the feed (already acted on);
 *   pass: a negative for the taste vector; out of the feed for `passCooldownDays`, then back with its score
 *   multiplied by `passReturnFactor`.
 * - Each `view` after that latest decision (or ever, without one) discounts the score by `viewDiscount`,
 *   weighted by the view's recency, down to `viewFloor`: (1 − viewDiscount)^(Σ recency) — the feed rotates.
 * Recency weight of an event: halfLifeFactor(now − at, halfLifeDays); an event without `at` happened `now`.
 */
import { DAY_MS, halfLifeFactor } from './decay';
import type { Interaction } from './interactions';
import type { FatigueOptions } from './options';

export interface Feedback {
  /** Liked / connected ids with the recency weight of that decision. */
  positives: Map<string, number>;
  /** Passed ids with the recency weight of the pass. */
  negatives: Map<string, number>;
  /** Ids left out of the feed: hidden, liked / connected, passed within the cool-down. */
  excluded: Set<string>;
  /** Score factor in [0, 1) of ids fatigue holds back (absent: 1). */
  fatigue: Map<string, number>;
}

interface Decision {
  type: 'like' | 'connect' | 'pass';
  at: number;
}

/** Summarises `interactions` at time `now` (epoch ms). */
export function summariseFeedback(
  interactions: readonly Interaction[],
  now: number,
  halfLifeDays: number,
  fatigue: FatigueOptions,
): Feedback {
  const hidden = new Set<string>();
  const decision = new Map<string, Decision>();
  const views = new Map<string, number[]>();
  for (const it of interactions) {
    const at = it.at === undefined ? now : Date.parse(it.at);
    if (!Number.isFinite(at)) throw new RangeError(`interaction for "${it.profile_id}": at must be an ISO time, got ${it.at}`);
    switch (it.type) {
      case 'hide':
        hidden.add(it.profile_id);
        break;
      case 'like':
      case 'connect':
      case 'pass': {
        const prev = decision.get(it.profile_id);
        if (!prev || at >= prev.at) decision.set(it.profile_id, { type: it.type, at });
        break;
      }
      case 'view': {
        const list = views.get(it.profile_id);
        if (list) list.push(at);
        else views.set(it.profile_id, [at]);
        break;
      }
      default:
        throw new RangeError(`interaction for "${String((it as Interaction).profile_id)}": unknown type ${String((it as Interaction).type)}`);
    }
  }

  const out: Feedback = { positives: new Map(), negatives: new Map(), excluded: new Set(hidden), fatigue: new Map() };
  const cooldownMs = fatigue.passCooldownDays * DAY_MS;
  for (const [id, d] of decision) {
    if (hidden.has(id)) continue;
    const weight = halfLifeFactor(now - d.at, halfLifeDays);
    if (d.type === 'pass') {
      out.negatives.set(id, weight);
      if (now - d.at < cooldownMs) out.excluded.add(id);
      else out.fatigue.set(id, fatigue.passReturnFactor);
    } else {
      out.positives.set(id, weight);
      out.excluded.add(id);
    }
  }
  for (const [id, times] of views) {
    if (out.excluded.has(id)) continue;
    const since = decision.get(id)?.at ?? -Infinity;
    let count = 0;
    for (const at of times) if (at >= since) count += halfLifeFactor(now - at, halfLifeDays);
    if (count === 0) continue;
    const factor = Math.max(fatigue.viewFloor, Math.pow(1 - fatigue.viewDiscount, count));
    out.fatigue.set(id, (out.fatigue.get(id) ?? 1) * factor);
  }
  return out;
}
