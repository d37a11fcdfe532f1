/**
 * The candidates whose vectors are ready, packed as the shared `CandidateMatrix` and kept packed while they
 * change: a put writes its row in place (or appends one), a delete moves the last row into the hole. A feed
 * ranks `matrix()` as it is: no copy, no re-pack. Row order carries no meaning (rankCandidates breaks ties by
 * id), so the swap on delete changes no ranking. Vectors live where the SIMD kernel reads them in place
 * (`allocateVectors`, with spare rows to grow into) and each row's norm is kept beside it.
 */
import { allocateVectors, vectorNorm, type CandidateMatrix } from '../../shared/scoring';

const INITIAL_CAPACITY = 1024;

/** Growable packed rows of id, vector, diligence and engagement; see the module comment. */
export class CandidateRows {
  private readonly ids: string[] = [];
  private readonly rowOf = new Map<string, number>();
  private vectors: Float32Array;
  private norms: Float64Array;
  private diligence: Float64Array;
  private engagement: Float64Array;

  constructor(readonly dimension: number) {
    this.vectors = allocateVectors(INITIAL_CAPACITY, dimension);
    this.norms = new Float64Array(INITIAL_CAPACITY);
    this.diligence = new Float64Array(INITIAL_CAPACITY);
    this.engagement = new Float64Array(INITIAL_CAPACITY);
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.rowOf.has(id);
  }

  /** Writes a candidate's row (vector copied), replacing its old one. */
  set(id: string, vector: Float32Array, diligence: number, engagement: number): void {
    if (vector.length !== this.dimension) {
      throw new Error(`candidate "${id}": vector has ${vector.length} dimensions, the index holds ${this.dimension}`);
    }
    let row = this.rowOf.get(id);
    if (row === undefined) {
      row = this.ids.length;
      this.grow(row + 1);
      this.ids.push(id);
      this.rowOf.set(id, row);
    }
    this.vectors.set(vector, row * this.dimension);
    this.norms[row] = vectorNorm(vector);
    this.diligence[row] = diligence;
    this.engagement[row] = engagement;
  }

  /** Updates diligence and engagement of a row that exists (the text, and so the vector, did not change). */
  setFeatures(id: string, diligence: number, engagement: number): boolean {
    const row = this.rowOf.get(id);
    if (row === undefined) return false;
    this.diligence[row] = diligence;
    this.engagement[row] = engagement;
    return true;
  }

  /** Removes a candidate's row; false when it had none. */
  remove(id: string): boolean {
    const row = this.rowOf.get(id);
    if (row === undefined) return false;
    const last = this.ids.length - 1;
    if (row !== last) {
      const moved = this.ids[last]!;
      const dim = this.dimension;
      this.vectors.copyWithin(row * dim, last * dim, (last + 1) * dim);
      this.norms[row] = this.norms[last]!;
      this.diligence[row] = this.diligence[last]!;
      this.engagement[row] = this.engagement[last]!;
      this.ids[row] = moved;
      this.rowOf.set(moved, row);
    }
    this.ids.pop();
    this.rowOf.delete(id);
    return true;
  }

  /** A copy of a candidate's vector, or undefined. */
  vectorOf(id: string): Float32Array | undefined {
    const row = this.rowOf.get(id);
    if (row === undefined) return undefined;
    return this.vectors.slice(row * this.dimension, (row + 1) * this.dimension);
  }

  /**
   * Every row as a `CandidateMatrix` over the live buffers (views, not copies). Valid until the next change:
   * rank it synchronously, as `rankCandidates` does.
   */
  matrix(): CandidateMatrix {
    const n = this.ids.length;
    return {
      ids: this.ids,
      dimension: this.dimension,
      vectors: this.vectors.subarray(0, n * this.dimension),
      norms: this.norms.subarray(0, n),
      diligence: this.diligence.subarray(0, n),
      engagement: this.engagement.subarray(0, n),
    };
  }

  /** The rows of `ids` that exist, packed into a new matrix (for a request naming its candidates). */
  pick(ids: Iterable<string>): CandidateMatrix {
    const rows: number[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      const row = this.rowOf.get(id);
      if (row !== undefined && !seen.has(id)) {
        seen.add(id);
        rows.push(row);
      }
    }
    const dim = this.dimension;
    const vectors = allocateVectors(rows.length, dim);
    const norms = new Float64Array(rows.length);
    const diligence = new Float64Array(rows.length);
    const engagement = new Float64Array(rows.length);
    rows.forEach((row, i) => {
      vectors.set(this.vectors.subarray(row * dim, (row + 1) * dim), i * dim);
      norms[i] = this.norms[row]!;
      diligence[i] = this.diligence[row]!;
      engagement[i] = this.engagement[row]!;
    });
    return { ids: rows.map((row) => this.ids[row]!), dimension: dim, vectors, norms, diligence, engagement };
  }

  private grow(needed: number): void {
    if (needed <= this.diligence.length) return;
    const capacity = Math.max(needed, this.diligence.length * 2);
    const vectors = allocateVectors(capacity, this.dimension);
    vectors.set(this.vectors);
    const norms = new Float64Array(capacity);
    norms.set(this.norms);
    const diligence = new Float64Array(capacity);
    diligence.set(this.diligence);
    const engagement = new Float64Array(capacity);
    engagement.set(this.engagement);
    this.vectors = vectors;
    this.norms = norms;
    this.diligence = diligence;
    this.engagement = engagement;
  }
}
