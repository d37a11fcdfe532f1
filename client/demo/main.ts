/**
 * The demo's wiring: settings from the URL, the engine's lifecycle (create, sync, rank, replace on a device
 * switch), and the views. Rendering lives in render-*.ts, the words in explain.ts.
 */
import { loadingStatus } from '../engine/loading-status';
import { errorText } from '../error-text';
import { createFeedEngine } from '../index';
import type { EngineDevice, EngineStatus, FeedEngine, FeedResult, UserProfile } from '../types';
import { initials } from './avatar';
import { createDeviceSwitch } from './device-switch';
import { createFeedControls } from './feed-controls';
import { DEFAULT_WEIGHTS } from './explain';
import { createProfileForm, EXAMPLE_USER } from './form';
import { renderFeed, renderFeedError, renderFeedPlaceholder, type OnReact } from './render-feed';
import { ProgressView, renderStatus, renderWarning } from './render-status';
import { persistDevice, readSettings } from './settings';
import type { NearfeedTestHook } from './test-hook';

function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`demo markup is missing #${id}`);
  return el;
}

const settings = readSettings();
const statusRoot = byId('status');
const warningRoot = byId('warning');
const feedRoot = byId('feed');
const privacyRoot = byId('privacy');
const panel = byId('profile-panel') as HTMLDetailsElement;
const progress = new ProgressView(byId('progress'));

const hook: NearfeedTestHook = {
  engine: null,
  lastFeed: null,
  lastUser: null,
  state: 'starting',
  error: null,
  syncError: null,
  firstFeedMs: null,
  rankCount: 0,
  settings,
  progress: {},
  progressLog: [],
  refresh: (options) => refresh(options?.sync ?? true),
};
window.__nearfeed = hook;

let engine: FeedEngine | null = null;
/** Bumped on every engine (re)start, so callbacks and results of a replaced engine are dropped. */
let generation = 0;
let rankSeq = 0;

/** Where the feed on screen was ranked; the server mode's note and device chip must not claim the server ranked a fallback. */
let shownFeedDevice: FeedResult['device'] | null = null;

function showStatus(s: EngineStatus): void {
  // Server mode, but the feed on screen was ranked here: the device chip must not read as "the server ranked it".
  const fellBack = s.device === 'server' && shownFeedDevice === 'local';
  renderStatus(statusRoot, fellBack ? { ...s, deviceReason: 'server did not answer; ranked in your browser' } : s);
  renderWarning(warningRoot, s.warning ?? hook.syncError);
  document.body.dataset.device = s.device;
  if (s.device !== 'loading') showPrivacy(s.device);
}

/** What the status bar shows before the engine exists. */
function startingStatus(device: EngineDevice): EngineStatus {
  return loadingStatus(
    device === 'auto' ? 'choosing the best device for this browser' : 'loading the model in a worker',
  );
}

function showPrivacy(device: EngineDevice | EngineStatus['device']): void {
  privacyRoot.textContent =
    device !== 'server'
      ? 'Your profile is embedded and ranked on this device. It never leaves your browser.'
      : shownFeedDevice === 'local'
        ? 'Server mode: your profile is sent to the nearfeed server to rank your feed. It did not answer, so this feed was ranked in your browser from the stored candidates, without similarity.'
        : 'Server mode: your profile is sent to the nearfeed server, which ranks the feed for you.';
}

function showSummary(user: UserProfile): void {
  byId('me-avatar').textContent = initials(user.name);
  byId('me-name').textContent = user.name || 'You';
}

/** MMR diversity the feed is ranked with (the "Feed order" control). */
let diversity = 0;

const controls = createFeedControls(
  byId('feed-controls'),
  diversity,
  (d) => {
    diversity = d;
    void rank(form.value());
  },
  () => {
    const eng = engine;
    if (!eng) return;
    void eng.clearInteractions().then(() => rank(form.value()));
  },
);

/** A card's Like / Pass / Hide: recorded on the device, then the feed re-ranks; focus moves to the card now in that place. */
const onReact: OnReact = (profileId, type, position) => {
  const eng = engine;
  if (!eng) return;
  void eng.recordInteraction(profileId, type).then(async () => {
    const feed = await rank(form.value());
    if (!feed) return;
    const cards = feedRoot.querySelectorAll<HTMLElement>('.feed-grid .card');
    const next = cards[Math.min(position, cards.length) - 1]?.querySelector<HTMLButtonElement>('button[data-react]');
    (next ?? feedRoot.querySelector<HTMLElement>('h2'))?.focus();
  });
};

async function rank(user: UserProfile): Promise<FeedResult | null> {
  const eng = engine;
  if (!eng) return null;
  const seq = ++rankSeq;
  hook.state = 'ranking';
  form.setBusy(true);
  showSummary(user);
  try {
    const feed = await eng.rankFeed(user, { limit: settings.limit, diversity });
    if (seq !== rankSeq || eng !== engine) return null;
    shownFeedDevice = feed.device;
    renderFeed(feedRoot, user, feed, DEFAULT_WEIGHTS, eng.status().candidates, onReact);
    controls.setLearned(eng.interactions().length);
    showStatus(eng.status());
    hook.lastFeed = feed;
    hook.lastUser = user;
    hook.error = null;
    hook.rankCount++;
    hook.firstFeedMs ??= performance.now();
    hook.state = 'ready';
    return feed;
  } catch (err) {
    if (seq !== rankSeq || eng !== engine) return null;
    hook.error = errorText(err);
    hook.state = 'error';
    renderFeedError(feedRoot, `Could not rank the feed: ${hook.error}`);
    return null;
  } finally {
    if (seq === rankSeq) form.setBusy(false);
  }
}

/** Pulls candidate changes; a failure (offline, server down) is a warning and the feed ranks from IndexedDB. */
async function sync(eng: FeedEngine): Promise<void> {
  hook.state = 'syncing';
  try {
    await eng.sync();
    hook.syncError = null;
  } catch (err) {
    hook.syncError = `Could not reach the server (${errorText(err)}). Showing the candidates stored on this device.`;
  }
  // The engine reports a sync's start but not its failure; the bar must not stay at 0% forever.
  if (eng === engine) progress.end('sync');
  if (eng === engine) showStatus(eng.status());
}

async function refresh(withSync: boolean): Promise<FeedResult | null> {
  const eng = engine;
  if (!eng) return null;
  if (withSync) await sync(eng);
  return rank(form.value());
}

async function start(device: EngineDevice): Promise<void> {
  const gen = ++generation;
  hook.state = 'starting';
  hook.engine = null;
  hook.progress = {};
  hook.progressLog = [];
  shownFeedDevice = null;
  const old = engine;
  engine = null;
  progress.clear();
  showStatus(startingStatus(device));
  if (device !== 'server') progress.indeterminate('model', 'preparing');
  showPrivacy(device);
  renderFeedPlaceholder(feedRoot, device === 'server' ? 'Asking the server…' : 'Loading the model on this device…');
  if (old) await old.dispose().catch(() => undefined);
  try {
    const eng = await createFeedEngine({
      serverUrl: '',
      device,
      ...(settings.dtype ? { dtype: settings.dtype } : {}),
      ...(settings.threads ? { wasmThreads: settings.threads } : {}),
      weights: DEFAULT_WEIGHTS,
      onProgress: (p) => {
        if (gen !== generation) return;
        progress.update(p);
        hook.progress[p.phase] = Math.max(hook.progress[p.phase] ?? 0, p.fraction);
        hook.progressLog.push({ phase: p.phase, fraction: p.fraction });
      },
      onStatus: (s) => {
        if (gen === generation) showStatus(s);
      },
    });
    if (gen !== generation) {
      await eng.dispose();
      return;
    }
    engine = eng;
    hook.engine = eng;
    // The model may still be loading (the engine starts before it when the model key is known): the bar ends
    // when it is ready, whether or not its download reported progress.
    void eng.ready().then(() => {
      if (gen === generation) progress.end('model');
    });
    showStatus(eng.status());
    if (eng.status().device !== 'server') renderFeedPlaceholder(feedRoot, 'Syncing candidates…');
    await sync(eng);
    if (gen === generation) await rank(form.value());
  } catch (err) {
    if (gen !== generation) return;
    progress.clear();
    hook.error = errorText(err);
    hook.state = 'error';
    renderFeedError(feedRoot, `The feed engine could not start: ${hook.error}`);
  }
}

const form = createProfileForm(byId('profile-form'), EXAMPLE_USER, (user) => {
  void rank(user);
  if (matchMedia('(max-width: 760px)').matches) panel.open = false;
});
showSummary(EXAMPLE_USER);
// On a phone the feed comes first; the profile folds into a one-line summary the user can open.
if (matchMedia('(max-width: 760px)').matches) panel.open = false;

createDeviceSwitch(byId('device-switch'), settings.device, (device) => {
  settings.device = device;
  persistDevice(device);
  void start(device);
});
byId('sync-now').addEventListener('click', () => void refresh(true));
// "Last sync: 20 s ago" should age while the page stays open.
setInterval(() => {
  if (engine) showStatus(engine.status());
}, 15_000);

void start(settings.device);
