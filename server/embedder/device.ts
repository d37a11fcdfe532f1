/**
 * Device choice for onnxruntime-node, made by nearfeed rather than by the library: transformers.js' own
 * 'auto' tries CUDA and throws ("Failed to load shared library") when the CUDA provider is not installed,
 * instead of falling back. So each device is tried in turn, and a fallback the caller did not ask for is
 * reported as a degradation. CUDA is checked for before ONNX Runtime is asked (cudaUnavailableReason): asking
 * it without the provider library prints a red native error line on every start.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** What the caller may ask for (ML_DEVICE). */
export type RequestedDevice = 'cpu' | 'cuda' | 'webgpu' | 'auto';
/** What a session can really run on under Node. */
export type NodeDevice = 'cpu' | 'cuda' | 'webgpu';

/** Devices to try, best first. Every list ends with the CPU, which always exists. */
export function deviceCandidates(requested: RequestedDevice): NodeDevice[] {
  switch (requested) {
    case 'cpu':
      return ['cpu'];
    case 'cuda':
    case 'auto':
      return ['cuda', 'cpu'];
    case 'webgpu':
      return ['webgpu', 'cpu'];
  }
}

const DEVICE_LABEL: Readonly<Record<NodeDevice, string>> = { cpu: 'CPU', cuda: 'CUDA', webgpu: 'WebGPU' };

/** What the CUDA pre-check looks at; injectable so a test can describe another machine. */
export interface CudaProbe {
  platform: NodeJS.Platform;
  arch: string;
  /** onnxruntime-node's package folder, or undefined when it cannot be found. */
  ortDir: string | undefined;
  exists: (file: string) => boolean;
}

function defaultCudaProbe(): CudaProbe {
  let ortDir: string | undefined;
  try {
    // .../onnxruntime-node/dist/index.js → .../onnxruntime-node
    ortDir = path.resolve(path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..');
  } catch {
    ortDir = undefined;
  }
  return { platform: process.platform, arch: process.arch, ortDir, exists: existsSync };
}

/**
 * Why the CUDA execution provider cannot run here, or undefined when it may: onnxruntime-node's CUDA provider
 * library must be installed (it is not by default) and, on Linux, an NVIDIA driver loaded.
 */
export function cudaUnavailableReason(probe: CudaProbe = defaultCudaProbe()): string | undefined {
  if (probe.platform !== 'linux' && probe.platform !== 'win32') return `CUDA is not available on ${probe.platform}`;
  const lib = probe.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  const file = probe.ortDir && path.join(probe.ortDir, 'bin', 'napi-v6', probe.platform, probe.arch, lib);
  if (!file || !probe.exists(file)) return 'the CUDA execution provider is not installed';
  if (probe.platform === 'linux' && !probe.exists('/proc/driver/nvidia/version')) return 'no NVIDIA driver is loaded';
  return undefined;
}

/** How to get a working device back, per device that failed. */
const DEVICE_FIX: Readonly<Record<NodeDevice, string>> = {
  cuda: 'install the CUDA execution provider with `ONNXRUNTIME_NODE_INSTALL_CUDA=v12 npm install` (needs CUDA 12 and cuDNN 9)',
  webgpu: 'WebGPU on Node needs a GPU with Vulkan, Metal or D3D12 drivers',
  cpu: '',
};

/**
 * A short reason for a device that failed. ONNX Runtime's messages start with a source path and a C++ lambda;
 * the two common cases get plain words, anything else its first line.
 */
export function describeDeviceError(device: NodeDevice, message: string): string {
  if (device === 'cuda' && /Failed to load shared library/i.test(message)) {
    return 'the CUDA execution provider could not be loaded (Failed to load shared library)';
  }
  if (device === 'webgpu' && /RequestAdapter|adapter/i.test(message)) {
    return 'no WebGPU adapter found';
  }
  return message.replace(/^\/onnxruntime_src\/\S+\s*/, '');
}

/** A device that was asked for but could not be used. */
export interface DeviceFallback {
  requested: NodeDevice;
  used: NodeDevice;
  reason: string;
}

/** The degradation note for a device fallback, as health reports it. */
export function deviceFallbackNote(fallback: DeviceFallback): string {
  const fix = DEVICE_FIX[fallback.requested];
  return (
    `running on ${DEVICE_LABEL[fallback.used]} instead of the requested ${DEVICE_LABEL[fallback.requested]}: ` +
    `${fallback.reason}${fix ? `; to use it, ${fix}` : ''}`
  );
}

/**
 * Whether running on `used` instead of `candidates[0]` is a degradation: yes when the caller named the
 * device, no under 'auto', where trying CUDA first is only opportunistic.
 */
export function isDegradation(requested: RequestedDevice, used: NodeDevice): boolean {
  return requested !== 'auto' && requested !== used;
}
