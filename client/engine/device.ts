/**
 * Which device to try first, from what the browser offers. Pure apart from `probeCapabilities`.
 */
import type { EngineDevice } from '../types';

/**
 * A device is "low-end" — and ranks on the server instead of loading a model — when it has no WebGPU adapter
 * AND either reports less than this much memory (`navigator.deviceMemory`, GB, Chromium only, rounded down to
 * a power of two) or fewer logical cores than {@link LOW_END_MIN_CORES}. A WASM embedder needs roughly
 * 100-200 MB and a core to spare for the page; below these it would make the page sluggish for minutes.
 * Unknown values (other browsers) count as not low-end.
 */
export const LOW_END_MIN_MEMORY_GB = 2;
/** See {@link LOW_END_MIN_MEMORY_GB}. */
export const LOW_END_MIN_CORES = 2;

export interface DeviceCapabilities {
  /** `navigator.gpu.requestAdapter()` returned an adapter. */
  webgpu: boolean;
  /** Adapter description for the status line, e.g. "google swiftshader (fallback)". */
  adapterInfo?: string;
  /**
   * The adapter is a software fallback (`isFallbackAdapter`, or SwiftShader): correct but slower than WASM
   * on the same CPU, so `auto` never uses it.
   */
  fallbackAdapter?: boolean;
  deviceMemoryGb?: number;
  cores?: number;
}

export type DevicePlan = { device: 'webgpu' | 'wasm' | 'server'; reason: string };

export function isLowEnd(caps: DeviceCapabilities): boolean {
  if (caps.webgpu) return false;
  const lowMemory = caps.deviceMemoryGb !== undefined && caps.deviceMemoryGb < LOW_END_MIN_MEMORY_GB;
  const fewCores = caps.cores !== undefined && caps.cores < LOW_END_MIN_CORES;
  return lowMemory || fewCores;
}

/** The first device to try; WebGPU is then confirmed (or not) by the self-check. */
export function planDevice(requested: EngineDevice, caps: DeviceCapabilities): DevicePlan {
  switch (requested) {
    case 'server':
      return { device: 'server', reason: "device 'server' requested" };
    case 'wasm':
      return { device: 'wasm', reason: "device 'wasm' requested" };
    case 'webgpu':
      return caps.webgpu
        ? { device: 'webgpu', reason: `device 'webgpu' requested (${caps.adapterInfo ?? 'adapter'})` }
        : { device: 'wasm', reason: "device 'webgpu' requested but no WebGPU adapter; using WASM" };
    case 'auto':
      if (caps.webgpu && caps.fallbackAdapter) {
        return {
          device: 'wasm',
          reason: `WebGPU adapter${caps.adapterInfo ? ` ${caps.adapterInfo}` : ''} is a software fallback (runs on the CPU, slower than WASM); using WASM`,
        };
      }
      if (caps.webgpu) return { device: 'webgpu', reason: `WebGPU adapter ${caps.adapterInfo ?? ''}`.trim() };
      if (isLowEnd(caps)) {
        return {
          device: 'server',
          reason: `low-end device (no WebGPU, ${caps.deviceMemoryGb ?? '?'} GB memory, ${caps.cores ?? '?'} cores); ranking on the server`,
        };
      }
      return { device: 'wasm', reason: 'no WebGPU adapter; using WASM' };
  }
}

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

interface GpuLike {
  /** `isFallbackAdapter` on the adapter itself is the older place (Chromium < 131); `info` the newer. */
  requestAdapter(): Promise<{ info?: AdapterInfoLike; isFallbackAdapter?: boolean } | null>;
}

/** Software adapters: flagged as fallback, or SwiftShader (Chromium's CPU Vulkan) by name. */
function isFallback(adapter: { info?: AdapterInfoLike; isFallbackAdapter?: boolean }): boolean {
  const info = adapter.info ?? {};
  if (info.isFallbackAdapter === true || adapter.isFallbackAdapter === true) return true;
  return [info.vendor, info.architecture, info.device, info.description].some((v) => /swiftshader/i.test(v ?? ''));
}

/** Reads what this browser offers. Never throws: a failing probe means "not available". */
export async function probeCapabilities(): Promise<DeviceCapabilities> {
  const nav = (typeof navigator === 'undefined' ? {} : navigator) as Navigator & {
    gpu?: GpuLike;
    deviceMemory?: number;
  };
  const caps: DeviceCapabilities = {
    webgpu: false,
    deviceMemoryGb: typeof nav.deviceMemory === 'number' ? nav.deviceMemory : undefined,
    cores: typeof nav.hardwareConcurrency === 'number' ? nav.hardwareConcurrency : undefined,
  };
  try {
    const adapter = nav.gpu ? await nav.gpu.requestAdapter() : null;
    if (adapter) {
      caps.webgpu = true;
      caps.fallbackAdapter = isFallback(adapter);
      const info = adapter.info;
      caps.adapterInfo = [info?.vendor, info?.architecture, info?.device, caps.fallbackAdapter ? '(fallback)' : '']
        .filter(Boolean)
        .join(' ');
    }
  } catch {
    caps.webgpu = false;
  }
  return caps;
}
