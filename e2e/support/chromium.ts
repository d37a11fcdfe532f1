/**
 * How the e2e suite launches Chromium: Debian's /usr/bin/chromium (Playwright's own browser download needs
 * the internet), headless, with the flags measured to work here. `--enable-unsafe-webgpu` gives a SwiftShader
 * WebGPU adapter on a machine without a GPU; `--disable-software-rasterizer` would break it, so it is absent.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--enable-unsafe-webgpu',
];
