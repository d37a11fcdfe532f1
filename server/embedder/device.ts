/**
 * Device choice for onnxruntime-node, made by nearfeed rather than by the library: transformers.js' own
 * 'auto' tries CUDA and throws ("Failed to load shared library") when the CUDA provider is not installed,
 * instead of falling back. So each device is tried in turn, and a fallback the caller did not ask for is
 * reported as a degradation.
 */

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
