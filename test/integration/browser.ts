/**
 * Headless Chromium for the dashboard's browser tests, driven by playwright-core: by default the one the
 * `@sparticuz/chromium` devDependency ships (unpacked into the temp folder on first use), so every machine, CI
 * included, runs the tests on the browser a fresh machine gets from `npm ci` and nothing else. When it cannot be
 * launched, the tests fail with a message saying what to do: they never skip.
 *
 * CHROMIUM_PATH chooses otherwise: `system`, the first of SYSTEM_CHROMIUM (an error when there is none); a path,
 * that browser (an error when it is not there). `none` or unset: npm's.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** Where Debian and Ubuntu install Chromium (`apt-get install chromium`). */
export const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** A closed network: without these, Chromium keeps trying to reach Google's services at start. */
const QUIET = [
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/**
 * Flags of `@sparticuz/chromium` meant for one page in a Lambda that the tests must not have: one process (a second
 * browser context, as the locale tests open, crashes it) and switched-off web security (the tests must see the
 * page's Content-Security-Policy and CORS as a user's browser does).
 */
const LAMBDA_ONLY = new Set([
  '--single-process',
  '--no-zygote',
  '--disable-web-security',
  '--allow-running-insecure-content',
]);

/** Which browser the tests use, and why: printed once, so a run's log shows which path it proved. */
export interface BrowserChoice {
  executablePath: string;
  args: string[];
  source: string;
}

/**
 * Finds the browser CHROMIUM_PATH asks for (see the module's comment).
 * @throws Error naming what is missing and how to get it.
 */
export async function chooseBrowser(setting = process.env.CHROMIUM_PATH): Promise<BrowserChoice> {
  const system = ['--no-sandbox', '--disable-gpu', ...QUIET];
  if (setting === undefined || setting === '' || setting === 'none') return npmChromium();
  if (setting === 'system') {
    const installed = SYSTEM_CHROMIUM.find((path) => existsSync(path));
    if (installed === undefined) {
      throw new Error(
        `CHROMIUM_PATH=system: none of ${SYSTEM_CHROMIUM.join(', ')} exists. Unset it to use npm's Chromium ` +
          '(@sparticuz/chromium, installed by npm ci).',
      );
    }
    return { executablePath: installed, args: system, source: `system (${installed})` };
  }
  if (!existsSync(setting)) {
    throw new Error(
      `CHROMIUM_PATH=${setting}: no browser there. Unset it to use npm's Chromium (@sparticuz/chromium, installed ` +
        'by npm ci), or set it to `system` for /usr/bin/chromium.',
    );
  }
  return { executablePath: setting, args: system, source: `CHROMIUM_PATH (${setting})` };
}

async function npmChromium(): Promise<BrowserChoice> {
  let executablePath: string;
  let args: string[];
  try {
    const { default: packaged } = await import('@sparticuz/chromium');
    // The charts draw on a 2D canvas: no WebGL, so the SwiftShader libraries are not unpacked.
    packaged.setGraphicsMode = false;
    executablePath = await packaged.executablePath();
    args = [...packaged.args.filter((arg) => !LAMBDA_ONLY.has(arg)), ...QUIET];
  } catch (error) {
    throw new Error(
      `no Chromium for the browser tests: npm's (@sparticuz/chromium) is missing or could not be unpacked: ${(error as Error).message}. ` +
        'Run `npm ci` (it installs it), or set CHROMIUM_PATH=system to use an installed Chromium (apt-get install chromium).',
    );
  }
  return { executablePath, args, source: `npm @sparticuz/chromium (unpacked at ${executablePath})` };
}

/**
 * Launches headless Chromium for a test file.
 * @throws Error when there is no browser (see {@link chooseBrowser}) or it does not start.
 */
export async function launchBrowser(): Promise<Browser> {
  const choice = await chooseBrowser();
  try {
    const browser = await chromium.launch({ executablePath: choice.executablePath, args: choice.args });
    console.info(`browser tests: Chromium ${browser.version()} from ${choice.source}`);
    return browser;
  } catch (error) {
    const unpacked = choice.source.startsWith('npm')
      ? ` An unpack cut short leaves a broken ${join(tmpdir(), 'chromium')}: delete it and run again.`
      : '';
    throw new Error(`Chromium from ${choice.source} did not start: ${(error as Error).message}${unpacked}`);
  }
}
