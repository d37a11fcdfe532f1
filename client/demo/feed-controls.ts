/**
 * The controls over what the feed learned: how much variety to ask for (MMR diversity), how many reactions the
 * device holds, and a button to forget them. Reactions live in this browser only (IndexedDB).
 */
import { h } from './dom';

/** The variety choices: MMR diversity values with words for people. */
export const VARIETY: ReadonlyArray<{ value: number; label: string }> = [
  { value: 0, label: 'Best matches first' },
  { value: 0.3, label: 'Some variety' },
  { value: 0.6, label: 'Lots of variety' },
];

export interface FeedControls {
  /** Shows how many reactions the device holds. */
  setLearned(count: number): void;
}

export function createFeedControls(
  root: HTMLElement,
  initial: number,
  onVariety: (diversity: number) => void,
  onForget: () => void,
): FeedControls {
  const select = h(
    'select',
    { id: 'variety', name: 'variety' },
    ...VARIETY.map((v) => {
      const option = h('option', { value: String(v.value) }, v.label);
      if (v.value === initial) option.selected = true;
      return option;
    }),
  );
  select.addEventListener('change', () => onVariety(Number(select.value)));
  const learned = h('span', { id: 'learned', class: 'learned' });
  const forget = h('button', { type: 'button', id: 'forget', class: 'btn-ghost' }, 'Forget my reactions');
  forget.addEventListener('click', onForget);
  root.replaceChildren(
    h('label', { for: 'variety', class: 'variety-label' }, 'Feed order'),
    select,
    h('span', { class: 'learned-area', role: 'status' }, learned),
    forget,
  );
  return {
    setLearned(count) {
      learned.textContent =
        count === 0 ? 'No reactions yet: like, pass or hide a card to teach the feed.' : `Learned from ${count} reaction${count === 1 ? '' : 's'} on this device.`;
      forget.hidden = count === 0;
    },
  };
}
