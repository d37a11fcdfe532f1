/** The segmented control that forces where inference runs: auto, WebGPU, WASM or the server. */
import type { EngineDevice } from '../types';
import { h } from './dom';
import { DEVICES } from './settings';

const LABEL: Record<EngineDevice, string> = { auto: 'Auto', webgpu: 'WebGPU', wasm: 'WASM', server: 'Server' };

export function createDeviceSwitch(root: HTMLElement, current: EngineDevice, onChange: (device: EngineDevice) => void): void {
  const buttons = DEVICES.map((d) => {
    const b = h('button', { type: 'button', class: 'seg', 'data-device': d, 'aria-pressed': String(d === current) }, LABEL[d]);
    b.addEventListener('click', () => {
      if (b.getAttribute('aria-pressed') === 'true') return;
      for (const other of buttons) other.setAttribute('aria-pressed', String(other === b));
      onChange(d);
    });
    return b;
  });
  root.replaceChildren(h('div', { class: 'segmented', role: 'group', 'aria-label': 'Inference device' }, ...buttons));
}
