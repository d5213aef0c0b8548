// E2E of "Sign in" in the real app window (tauri-driver + WebKitWebDriver under Xvfb), started by
// tests/desktop/e2e-oauth.sh inside a throwaway HOME and gnome-keyring, with a fake `xdg-open` on PATH
// that plays the browser against the test authorization server. Steps: a config with oauth-mcp-server
// as a remote upstream; the Servers page says "Sign-in needed" and the home page lists it under "Needs
// attention"; a sign-in left unfinished in the browser is cancelled; click "Sign in" → the app opens
// the "browser", receives the redirect on its loopback port, stores the tokens in the keychain →
// "Signed in as ana@example.test, expires …"; the home page no longer lists it; the real gateway-core calls a tool of that server with the stored token; no
// token is in any file under HOME or any log; the AS revokes everything → the gateway's call says to sign
// in again and the app shows "Refresh failed: …" (Servers page and "Needs attention"); signing in again
// works; "Sign out" turns the state back to "Sign-in needed".
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Builder, By, Capabilities, until } from 'selenium-webdriver';

const HOME = process.env.HOME;
const ART = process.env.E2E_ARTIFACTS;
const CONFIG = join(HOME, '.enkrypt', 'enkrypt_mcp_config.json');
const KEY = 'e2e-oauth-gateway-key-0123456789abcdef';
const GATEWAY_ID = 'gw-oauth-e2e';
const SERVER = 'remote-docs';
const ACCOUNT = 'ana@example.test';
const timings = {};
let passed = 0;
let failed = 0;
const check = (name, ok, info = '') => {
  if (ok) {
    passed++;
    console.log(`ok ${name}${info ? ` (${info})` : ''}`);
  } else {
    failed++;
    console.error(`FAIL ${name}${info ? `: ${info}` : ''}`);
  }
};

// 0. The protected server and its authorization server (one process), and a config naming it.
const as = spawn(process.env.OAUTH_MCP_SERVER, ['--account', ACCOUNT, '--token-ttl', '600'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('oauth-mcp-server did not report its URL')), 15000);
  createInterface({ input: as.stdout }).once('line', (line) => {
    clearTimeout(timer);
    resolve(line.trim().replace(/^listening on /, ''));
  });
});
const base = url.replace(/\/mcp$/, '');
mkdirSync(join(HOME, '.enkrypt'), { recursive: true });
writeFileSync(
  CONFIG,
  `${JSON.stringify(
    {
      common_mcp_gateway_config: { enkrypt_guardrails_enabled: true, enkrypt_guardrails_provider: 'local' },
      gateways: {
        [KEY]: {
          id: GATEWAY_ID,
          mcp_config: [
            { server_name: SERVER, description: 'a hosted server that needs a sign-in', config: { url }, tools: {} },
          ],
        },
      },
    },
    null,
    2,
  )}\n`,
);

/** Files under `dir` whose bytes contain `needle` (the keyring's own files are encrypted). */
function filesContaining(dir, needle) {
  const hits = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    let st;
    try {
      st = statSync(path);
    } catch {
      continue;
    }
    if (st.isDirectory()) hits.push(...filesContaining(path, needle));
    else if (st.isFile() && st.size < 20_000_000 && readFileSync(path).includes(needle)) hits.push(path);
  }
  return hits;
}

/** The access and refresh tokens the app stored, read back from the keychain (never printed). */
function storedTokens() {
  // secret-tool (libsecret-tools) reads the entry the way any Secret Service client would.
  try {
    const raw = execFileSync('secret-tool', ['search', '--all', 'service', 'enkrypt-secure-mcp-gateway'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return [...raw.matchAll(/"(access_token|refresh_token)":"([^"]+)"/g)].map((m) => m[2]);
  } catch {
    return [];
  }
}

const caps = new Capabilities();
caps.setBrowserName('wry');
caps.set('tauri:options', { application: process.env.APP_BIN });
const t0 = Date.now();
const driver = await new Builder().withCapabilities(caps).usingServer(`http://127.0.0.1:${process.env.E2E_PORT}/`).build();
const $ = (css, ms = 10000) => driver.wait(until.elementLocated(By.css(css)), ms);
const click = async (css) => (await $(css)).click();
const waitText = (css, re, ms = 10000) =>
  driver.wait(
    async () => {
      for (const el of await driver.findElements(By.css(css))) if (re.test(await el.getText().catch(() => ''))) return true;
      return false;
    },
    ms,
    `waiting for ${re} in ${css}`,
  );
const textOf = async (css) => (await $(css)).getText();
const shot = async (name) => writeFileSync(join(ART, `${name}.png`), await driver.takeScreenshot(), 'base64');
const STATE = `[data-signin="${SERVER}"] [data-testid="signin-state"]`;

let gateway = null;
try {
  // 1. Before signing in: the home page lists the server under "Needs attention".
  await $('#nav-home', 20000);
  timings.app_ready_ms = Date.now() - t0;
  await waitText('#home-attention', new RegExp(`${SERVER} needs sign-in`), 20000);
  check('home page: the server needs sign-in', true);

  // 2. Servers page: "Sign-in needed" and a "Sign in" button.
  await click('#nav-servers');
  await waitText(STATE, /^Sign-in needed/, 20000);
  check('servers page: sign-in needed', true, await textOf(STATE));
  await driver.sleep(300); // the first screenshot of a fresh window can come out blank otherwise
  await shot('e2e-oauth-before');

  // 2b. A sign-in left unfinished in the browser (the tab closed): "Cancel" stops waiting, nothing is
  //     stored, no error is shown, and the state stays "Sign-in needed".
  writeFileSync(join(HOME, 'e2e-browser-stall'), '');
  await click(`[aria-label="Sign in to ${SERVER}"]`);
  await click(`[aria-label="Cancel sign-in to ${SERVER}"]`);
  await driver.wait(async () => (await driver.findElements(By.css(`[aria-label="Cancel sign-in to ${SERVER}"]`))).length === 0, 10000, 'waiting for the sign-in to stop');
  const alerts = await driver.findElements(By.css(`[data-signin="${SERVER}"] [role="alert"]`));
  check('cancel: back to sign-in needed, no error, nothing stored', alerts.length === 0 && /^Sign-in needed/.test(await textOf(STATE)) && storedTokens().length === 0, await textOf(STATE));
  execFileSync('rm', ['-f', join(HOME, 'e2e-browser-stall')]);

  // 3. Sign in: the app opens the "browser" (our xdg-open), which completes the authorization at the
  //    test AS and lands on the app's loopback redirect; the state turns to signed in.
  const started = Date.now();
  await click(`[aria-label="Sign in to ${SERVER}"]`);
  await waitText(STATE, new RegExp(`^Signed in as ${ACCOUNT.replace(/[.]/g, '\\.')}, expires in \\d+ min`), 30000);
  timings.sign_in_ms = Date.now() - started;
  check('servers page: signed in as the account, with the expiry', true, await textOf(STATE));
  const browserLog = existsSync(join(HOME, 'e2e-browser.log')) ? readFileSync(join(HOME, 'e2e-browser.log'), 'utf8') : '';
  check('the app opened the system browser on the authorization endpoint', browserLog.includes(`opened ${base}/authorize`), browserLog.trim());
  check('the browser saw the app\'s "Signed in" page', browserLog.includes('redirect page: signed in'), browserLog.trim());
  await shot('e2e-oauth-signed-in');

  // 4. The home page no longer lists the server.
  await click('#nav-home');
  await $('#home-blocks');
  await driver.sleep(500);
  const attention = (await driver.findElements(By.css('#home-attention'))).length
    ? await textOf('#home-attention')
    : '';
  check('home page: no sign-in line after signing in', !attention.includes(`${SERVER} needs sign-in`), attention);

  // 5. The real gateway-core (as an MCP client would start it) calls the server with the stored token.
  gateway = spawn(process.env.GATEWAY_CORE, ['--config', CONFIG], {
    env: { ...process.env, ENKRYPT_GATEWAY_KEY: KEY },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  gateway.stderr.on('data', (d) => (stderr += d));
  const answers = new Map();
  createInterface({ input: gateway.stdout }).on('line', (line) => {
    try {
      const msg = JSON.parse(line);
      if (msg.id !== undefined) answers.get(msg.id)?.(msg);
    } catch {}
  });
  let next = 1;
  const request = (method, params) =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => reject(new Error(`${method} timed out; gateway stderr:\n${stderr}`)), 20000);
      answers.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      gateway.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  await request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e-oauth', version: '1' } });
  gateway.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  const callServer = async (message) => {
    const answer = await request('tools/call', {
      name: 'enkrypt_secure_call_tools',
      arguments: { server_name: SERVER, tool_calls: [{ name: 'echo', args: { message } }] },
    });
    return JSON.stringify(answer.result ?? answer.error);
  };
  const text = await callServer('hello-through-oauth');
  check('the gateway calls the signed-in server with the keychain token', text.includes('hello-through-oauth') && !text.includes('needs sign-in'), text.slice(0, 300));

  // 6. Tokens only in the keychain: none in any file under HOME, nor in the app's or gateway's output.
  const tokens = storedTokens();
  check('the keychain holds the access and refresh tokens', tokens.length === 2, `${tokens.length} found`);
  const leaks = tokens.flatMap((t) => filesContaining(HOME, t));
  check('no token in any file under HOME', leaks.length === 0, leaks.join(', '));

  // 7. The authorization server revokes everything: the gateway's refresh is refused, the call says to
  //    sign in again, and the app shows "Refresh failed" on the Servers page and under "Needs attention".
  await fetch(`${base}/control/revoke-all`, { method: 'POST' });
  const refused = await callServer('after-revoke');
  check('after revocation the call asks for a new sign-in', refused.includes('needs sign-in') && refused.includes('from the app'), refused.slice(0, 300));
  gateway.stdin.end();
  await click('#nav-servers');
  await waitText(STATE, /^Refresh failed: .*Sign in again\.$/, 10000);
  check('servers page: refresh failed', true, await textOf(STATE));
  await shot('e2e-oauth-refresh-failed');
  await click('#nav-home');
  await waitText('#home-attention', new RegExp(`${SERVER}: refresh failed`), 10000);
  check('home page: the refresh failure needs attention', true);
  const driverLog = readFileSync(join(ART, 'tauri-driver-oauth.log'), 'utf8');
  check('no token in the app\'s log or the gateway\'s stderr', tokens.every((t) => !driverLog.includes(t) && !stderr.includes(t)));

  // 8. Sign in again from the failed state, then sign out: back to "Sign-in needed", entry gone.
  await click('#nav-servers');
  await click(`[aria-label="Sign in to ${SERVER}"]`);
  await waitText(STATE, /^Signed in as /, 30000);
  check('sign in again after a failed refresh', true, await textOf(STATE));
  await click(`[aria-label="Sign out of ${SERVER}"]`);
  await waitText(STATE, /^Sign-in needed/, 10000);
  check('sign out: sign-in needed again, tokens removed', storedTokens().length === 0, await textOf(STATE));
} catch (e) {
  failed++;
  console.error(`FAIL aborted: ${e instanceof Error ? e.stack : e}`);
  try {
    await shot('e2e-oauth-failure');
  } catch {}
} finally {
  gateway?.kill();
  as.kill();
  await driver.quit().catch(() => {});
}
timings.total_ms = Date.now() - t0;
console.log(`timings: ${JSON.stringify(timings)}`);
writeFileSync(join(ART, 'e2e-oauth-timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
