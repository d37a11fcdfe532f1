/**
 * The candidates held on this device: profiles, the content hash of each profile's text, and vectors valid
 * for the engine's model key. A vector is valid only while its hash equals the profile's current hash, so an
 * edit that changes the text makes exactly that candidate "missing" and nothing else. The packed matrix the
 * ranker reads is built once and reused until the set changes.
 */
import { contentHash } from '../../shared/profile-text';
import { allocateVectors, rowNorms, type CandidateMatrix } from '../../shared/scoring';
import type { Profile } from '../../shared/types';
import type { HashedProfile, StoredVector } from '../cache/chunks';
import type { SyncTarget } from '../sync/sync-client';

export class CandidateSet implements SyncTarget {
  private readonly profiles = new Map<string, Profile>();
  /** contentHash per id; absent until computed for a newly put profile. */
  private readonly hashes = new Map<string, string>();
  /** Vectors with the hash they were computed for (may be stale until `reconcile`). */
  private readonly vectors = new Map<string, StoredVector>();
  /** Server vectors that arrived with a put, assigned the profile's hash once it is computed. */
  private readonly serverVectors = new Map<string, Float32Array>();
  private matrix: CandidateMatrix | null = null;
  /** Bumped on every change, so callers know when to persist. */
  version = 0;

  get size(): number {
    return this.profiles.size;
  }

  ids(): Iterable<string> {
    return this.profiles.keys();
  }

  get(id: string): Profile | undefined {
    return this.profiles.get(id);
  }

  /** Loads what IndexedDB held; vectors are checked against hashes in `reconcile`. */
  load(entries: readonly HashedProfile[], vectors: ReadonlyMap<string, StoredVector>): void {
    for (const { profile, hash } of entries) {
      this.profiles.set(profile.id, profile);
      this.hashes.set(profile.id, hash);
    }
    for (const [id, v] of vectors) if (this.profiles.has(id)) this.vectors.set(id, v);
    this.changed();
  }

  put(profile: Profile, serverVector: Float32Array | null): void {
    this.profiles.set(profile.id, profile);
    this.hashes.delete(profile.id);
    if (serverVector) this.serverVectors.set(profile.id, serverVector);
    else this.serverVectors.delete(profile.id);
    this.changed();
  }

  remove(id: string): void {
    if (!this.profiles.delete(id)) return;
    this.hashes.delete(id);
    this.vectors.delete(id);
    this.serverVectors.delete(id);
    this.changed();
  }

  /** Forgets every vector (they belong to another model key); the profiles stay and become "missing". */
  dropVectors(): void {
    this.vectors.clear();
    this.serverVectors.clear();
    this.changed();
  }

  clear(): void {
    this.profiles.clear();
    this.hashes.clear();
    this.vectors.clear();
    this.serverVectors.clear();
    this.changed();
  }

  /**
   * Hashes new profiles, adopts server vectors, drops stale vectors. Returns how many server vectors were
   * adopted and which ids still need a locally computed vector.
   */
  async reconcile(): Promise<{ adoptedServerVectors: number; missing: string[] }> {
    for (const [id, profile] of this.profiles) {
      if (!this.hashes.has(id)) this.hashes.set(id, await contentHash(profile));
    }
    let adopted = 0;
    for (const [id, vector] of this.serverVectors) {
      const hash = this.hashes.get(id);
      if (hash !== undefined) {
        this.vectors.set(id, { hash, vector });
        adopted++;
      }
    }
    this.serverVectors.clear();
    const missing: string[] = [];
    for (const id of this.profiles.keys()) {
      const v = this.vectors.get(id);
      if (!v || v.hash !== this.hashes.get(id)) {
        if (v) this.vectors.delete(id);
        missing.push(id);
      }
    }
    if (adopted > 0) this.changed();
    return { adoptedServerVectors: adopted, missing: missing.sort() };
  }

  /** Content hash of a candidate's current text, undefined until `reconcile` computed it. */
  hashOf(id: string): string | undefined {
    return this.hashes.get(id);
  }

  /**
   * Stores a vector computed from the text whose hash was `hash`. Ignored when the profile changed meanwhile
   * (a sync landed during the embedding): an old text's vector must never be filed under the new text.
   */
  setVector(id: string, vector: Float32Array, hash: string): boolean {
    if (this.hashes.get(id) !== hash || !this.profiles.has(id)) return false;
    this.vectors.set(id, { hash, vector });
    this.changed();
    return true;
  }

  hashedProfiles(): HashedProfile[] {
    const out: HashedProfile[] = [];
    for (const [id, profile] of this.profiles) {
      const hash = this.hashes.get(id);
      if (hash !== undefined) out.push({ profile, hash });
    }
    return out;
  }

  /** Vectors valid for the current profiles (the part worth persisting). */
  validVectors(): Map<string, StoredVector> {
    const out = new Map<string, StoredVector>();
    for (const [id, v] of this.vectors) if (this.hashes.get(id) === v.hash) out.set(id, v);
    return out;
  }

  /** True when every candidate has a valid vector. */
  complete(): boolean {
    for (const id of this.profiles.keys()) {
      const v = this.vectors.get(id);
      if (!v || v.hash !== this.hashes.get(id)) return false;
    }
    return true;
  }

  /**
   * The packed matrix for `rankCandidates`, in id order; with `withVectors` false (ranking without a query)
   * it has dimension 0. Rebuilt only after a change.
   */
  packed(dimension: number, withVectors = true): CandidateMatrix {
    const dim = withVectors ? dimension : 0;
    if (this.matrix && this.matrix.dimension === dim) return this.matrix;
    const ids = [...this.profiles.keys()].sort();
    const n = ids.length;
    const vectors = allocateVectors(n, dim);
    // Float64 like packCandidates on the server, so breakdowns and totals agree to the last bit.
    const diligence = new Float64Array(n);
    const engagement = new Float64Array(n);
    ids.forEach((id, i) => {
      const p = this.profiles.get(id)!;
      diligence[i] = p.diligence;
      engagement[i] = p.engagement;
      if (dim > 0) {
        const v = this.vectors.get(id);
        if (!v || v.vector.length !== dim) throw new Error(`candidate ${id} has no vector of dimension ${dim}`);
        vectors.set(v.vector, i * dim);
      }
    });
    const norms = dim > 0 ? rowNorms(vectors, dim) : new Float64Array(n);
    this.matrix = { ids, dimension: dim, vectors, norms, diligence, engagement };
    return this.matrix;
  }

  private changed(): void {
    this.matrix = null;
    this.version++;
  }
}
