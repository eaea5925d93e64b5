import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { MeshcastStats } from '../../src/browser/index';

/** Debian's Firefox ESR (`apt-get install -y firefox-esr`), or `FIREFOX_PATH`. */
export function firefoxPath(): string {
  const executablePath = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
  if (!existsSync(executablePath)) throw new Error(`Firefox not found at ${executablePath}: apt-get install -y firefox-esr (or set FIREFOX_PATH)`);
  return executablePath;
}

/** Firefox over WebDriver BiDi, with autoplay allowed and WebRTC over loopback (host candidates unobfuscated). */
export function launchFirefox(): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath(),
    headless: true,
    extraPrefsFirefox: {
      'media.autoplay.default': 0,
      'media.peerconnection.ice.loopback': true,
      'media.peerconnection.ice.obfuscate_host_addresses': false,
    },
  });
}

export interface FirefoxViewer {
  page: Page;
  stats(): Promise<MeshcastStats>;
  currentTime(): Promise<number>;
  fatalErrors(): Promise<unknown[]>;
  close(): Promise<void>;
}

/** A demo page in its own Firefox browser context (its own storage and peer identity). */
export async function openFirefoxViewer(browser: Browser, url: string, statsOf = 'window.engine.stats()'): Promise<FirefoxViewer> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  if (process.env.MESHCAST_TEST_DEBUG) page.on('console', (msg) => console.log(`[firefox] ${msg.text()}`));
  await page.goto(url);
  return {
    page,
    stats: async () => {
      await page.waitForFunction(`(() => { try { ${statsOf}; return true; } catch { return false; } })()`);
      return page.evaluate(statsOf) as Promise<MeshcastStats>;
    },
    currentTime: () => page.evaluate(() => document.querySelector('video')!.currentTime),
    fatalErrors: () => page.evaluate(() => (window as unknown as { fatalErrors?: unknown[] }).fatalErrors ?? []),
    close: () => context.close(),
  };
}
