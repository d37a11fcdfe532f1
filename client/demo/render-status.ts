/** The status bar (device, model, cache, sync, timing) and the progress bars of the first load. */
import type { EngineProgress, EngineStatus } from '../types';
import { h } from './dom';

const DEVICE_NAME: Record<EngineStatus['device'], string> = {
  webgpu: 'WebGPU',
  wasm: 'WASM',
  server: 'Server',
  loading: 'Starting…',
};

function relativeTime(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  return new Date(t).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}

function stat(key: string, label: string, value: string, title?: string): HTMLElement {
  return h(
    'div',
    { class: 'stat', 'data-stat': key, ...(title ? { title } : {}) },
    h('span', { class: 'stat-label' }, label),
    h('span', { class: 'stat-value' }, value),
  );
}

/** Short model name: the last path segment of a hub id or folder. */
function modelName(model: string | null): string {
  if (!model) return '—';
  const parts = model.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? model;
}

export function renderStatus(root: HTMLElement, s: EngineStatus): void {
  const device = h(
    'div',
    { class: `device device-${s.device}`, 'data-stat': 'device' },
    h('span', { class: 'device-dot', 'aria-hidden': 'true' }),
    h('span', { class: 'device-name' }, DEVICE_NAME[s.device]),
    s.deviceReason ? h('span', { class: 'device-reason', title: s.deviceReason }, s.deviceReason) : null,
  );
  const check = s.selfCheck
    ? stat(
        'self-check',
        'Self-check',
        s.selfCheck.passed ? `passed (${s.selfCheck.cosine.toFixed(4)})` : `failed (${s.selfCheck.cosine.toFixed(3)})`,
        'Cosine between this device and WASM on a fixed sentence',
      )
    : null;
  root.replaceChildren(
    device,
    h(
      'div',
      { class: 'stats' },
      stat('model', 'Model', modelName(s.model), s.modelKey ?? undefined),
      stat('dimension', 'Dim', s.dimension === null ? '—' : String(s.dimension)),
      stat('candidates', 'Candidates', s.candidates.toLocaleString('en')),
      stat('cache-hits', 'Cache hits', s.cacheHits.toLocaleString('en'), 'Vectors from IndexedDB or from the server'),
      stat('embedded', 'Embedded', s.embeddedCandidates.toLocaleString('en'), 'Candidate vectors computed on this device'),
      stat('last-sync', 'Synced', relativeTime(s.lastSync), s.lastSync ?? undefined),
      stat('rank-ms', 'Rank time', s.lastRankMs === null ? '—' : `${s.lastRankMs.toFixed(1)} ms`),
      check,
    ),
  );
}

export function renderWarning(root: HTMLElement, warning: string | null): void {
  root.hidden = !warning;
  root.textContent = warning ?? '';
}

const PHASE_LABEL: Record<EngineProgress['phase'], string> = {
  model: 'Loading the model',
  embedding: 'Embedding candidates on this device',
  sync: 'Syncing candidates',
};

/**
 * One bar per phase, shown while it runs and removed shortly after it completes, so a warm start (everything
 * in IndexedDB) shows no bars at all.
 */
export class ProgressView {
  private readonly bars = new Map<
    EngineProgress['phase'],
    { row: HTMLElement; fill: HTMLElement; text: HTMLElement; fraction: number }
  >();

  constructor(private readonly root: HTMLElement) {}

  update(p: EngineProgress): void {
    let bar = this.bars.get(p.phase);
    if (!bar) {
      const fill = h('span', { class: 'progress-fill' });
      const text = h('span', { class: 'progress-text' });
      const row = h(
        'div',
        { class: `progress progress-${p.phase}`, 'data-phase': p.phase, role: 'progressbar', 'aria-label': PHASE_LABEL[p.phase] },
        h('span', { class: 'progress-label' }, PHASE_LABEL[p.phase]),
        h('span', { class: 'progress-track' }, fill),
        text,
      );
      bar = { row, fill, text, fraction: 0 };
      this.bars.set(p.phase, bar);
      this.root.append(row);
    }
    const f = Math.max(0, Math.min(1, Number.isFinite(p.fraction) ? p.fraction : 0));
    bar.fraction = f;
    bar.row.classList.remove('is-indeterminate');
    bar.fill.style.width = `${(f * 100).toFixed(1)}%`;
    bar.row.setAttribute('aria-valuenow', String(Math.round(f * 100)));
    bar.text.textContent = p.detail ? `${Math.round(f * 100)}% · ${p.detail}` : `${Math.round(f * 100)}%`;
    this.root.hidden = false;
    if (f >= 1) {
      const done = bar;
      setTimeout(() => {
        // A phase that restarted meanwhile (e.g. a second embedding pass) keeps its bar.
        if (this.bars.get(p.phase) !== done || done.fraction < 1) return;
        done.row.remove();
        this.bars.delete(p.phase);
        this.root.hidden = this.bars.size === 0;
      }, 600);
    }
  }

  /**
   * Shows a phase as running before any fraction is known (e.g. the worker starting, or a model that reports
   * its download only at the end); the first `update` turns it into a normal bar.
   */
  indeterminate(phase: EngineProgress['phase'], detail: string): void {
    this.update({ phase, fraction: 0, detail });
    this.bars.get(phase)?.row.classList.add('is-indeterminate');
    const bar = this.bars.get(phase);
    if (bar) bar.text.textContent = detail;
  }

  /** Removes a phase's bar whatever its fraction: the phase ended, e.g. a sync that failed half-way. */
  end(phase: EngineProgress['phase']): void {
    this.bars.get(phase)?.row.remove();
    this.bars.delete(phase);
    this.root.hidden = this.bars.size === 0;
  }

  clear(): void {
    this.bars.clear();
    this.root.replaceChildren();
    this.root.hidden = true;
  }
}
