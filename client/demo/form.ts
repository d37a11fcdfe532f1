/** The "who you are and what you look for" form, with a tag input, prefilled so the first view shows a feed. */
import type { UserProfile } from '../types';
import { h } from './dom';

export const EXAMPLE_USER: UserProfile = {
  name: 'Maya Chen',
  headline: 'Founder & CEO at Ledgerly, payments infrastructure for small businesses',
  bio:
    'Second-time founder in fintech. We are raising a seed round and looking for angel investors and ' +
    'operators who know payments, embedded finance and B2B SaaS go-to-market in Europe.',
  tags: ['fintech', 'seed', 'payments', 'angel', 'saas'],
};

const MAX_TAGS = 12;

export interface ProfileForm {
  /** The profile as currently typed. */
  value(): UserProfile;
  /** Disables the submit button while a rank is running. */
  setBusy(busy: boolean): void;
}

function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), control, hint ? h('span', { class: 'field-hint' }, hint) : null);
}

function tagInput(initial: readonly string[]): { el: HTMLElement; tags: () => string[] } {
  const tags: string[] = [...initial];
  const list = h('ul', { class: 'tag-list' });
  const input = h('input', {
    class: 'tag-entry',
    name: 'tag-entry',
    type: 'text',
    placeholder: 'Add a tag…',
    'aria-label': 'Add a tag',
    autocomplete: 'off',
  });
  const draw = (): void => {
    list.replaceChildren(
      ...tags.map((t, i) => {
        const remove = h('button', { type: 'button', class: 'tag-remove', 'aria-label': `Remove ${t}` }, '×');
        remove.addEventListener('click', () => {
          tags.splice(i, 1);
          draw();
        });
        return h('li', { class: 'tag is-editable' }, t, remove);
      }),
    );
  };
  const commit = (): void => {
    for (const raw of input.value.split(',')) {
      const t = raw.trim().toLowerCase();
      if (t && !tags.includes(t) && tags.length < MAX_TAGS) tags.push(t);
    }
    input.value = '';
    draw();
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ',') {
      if (input.value.trim()) {
        e.preventDefault();
        commit();
      }
    } else if (e.key === 'Backspace' && input.value === '' && tags.length) {
      tags.pop();
      draw();
    }
  });
  input.addEventListener('blur', commit);
  draw();
  const el = h('div', { class: 'tag-input' }, list, input);
  el.addEventListener('click', () => input.focus());
  return {
    el,
    tags: () => {
      commit();
      return [...tags];
    },
  };
}

/** Builds the form into `root`; `onSubmit` gets the profile whenever the user asks to rank. */
export function createProfileForm(root: HTMLElement, initial: UserProfile, onSubmit: (user: UserProfile) => void): ProfileForm {
  const name = h('input', { name: 'name', type: 'text', maxlength: '80', autocomplete: 'name' });
  name.value = initial.name;
  const headline = h('input', { name: 'headline', type: 'text', maxlength: '160' });
  headline.value = initial.headline;
  const bio = h('textarea', { name: 'bio', rows: '5', maxlength: '2000' });
  bio.value = initial.bio;
  const tags = tagInput(initial.tags);
  const submit = h('button', { type: 'submit', class: 'btn-primary' }, 'Rank my feed');

  const form = h(
    'form',
    { class: 'profile-form', 'aria-label': 'Your profile' },
    field('Name', name),
    field('Headline', headline),
    field('About me / looking for', bio, 'Who you are and who you want to meet.'),
    field('Tags', tags.el, 'Enter or comma to add.'),
    submit,
  );
  const value = (): UserProfile => ({
    name: name.value.trim(),
    headline: headline.value.trim(),
    bio: bio.value.trim(),
    tags: tags.tags(),
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    onSubmit(value());
  });
  root.replaceChildren(form);
  return {
    value,
    setBusy(busy) {
      submit.disabled = busy;
      submit.textContent = busy ? 'Ranking…' : 'Rank my feed';
    },
  };
}
