// Page tests: the built UI's pages (a vite production build) in Debian's chromium (playwright-core, no
// browser download), with mocked Tauri IPC (e2e/mock-entry.ts). One check per behaviour; screenshots of every page go to
// ui/test-artifacts/. Closing line: "N passed, N failed".
//   node e2e/ui-chromium.mjs            (CHROMIUM_PATH overrides /usr/bin/chromium)
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';

const ARTIFACTS = new URL('../test-artifacts/', import.meta.url).pathname;
mkdirSync(ARTIFACTS, { recursive: true });
// A production build of the real UI (same vite.config.ts, minified bundle) plus the test-only entry
// e2e/mock.html, which installs the fake backend before importing src/main. Served by `vite preview`.
const OUT = new URL('../node_modules/.cache/mock-dist/', import.meta.url).pathname;
await build({
  logLevel: 'warn',
  build: { outDir: OUT, emptyOutDir: true, target: 'es2022', rollupOptions: { input: { mock: 'e2e/mock.html' } } },
});
const PORT = Number(process.env.UI_TEST_PORT || 0) || 20000 + Math.floor(Math.random() * 20000);
const server = await preview({ preview: { host: '127.0.0.1', port: PORT, strictPort: true }, build: { outDir: OUT }, logLevel: 'warn' });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});

let passed = 0;
let failed = 0;
async function check(name, fn) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await fn(page);
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    passed++;
    console.log(`ok ${name}`);
  } catch (e) {
    failed++;
    console.error(`FAIL ${name}: ${e instanceof Error ? e.message : e}`);
    await page.screenshot({ path: `${ARTIFACTS}FAIL-${name.replace(/\W+/g, '-')}.png` }).catch(() => {});
  } finally {
    await context.close();
  }
}
const open = async (page, scenario = '') => {
  await page.goto(`http://127.0.0.1:${PORT}/e2e/mock.html${scenario ? `?scenario=${scenario}` : ''}`);
};
const shot = (page, name) => page.screenshot({ path: `${ARTIFACTS}${name}.png` });
const expectText = async (locator, re) => {
  await locator.waitFor({ timeout: 5000 });
  const text = await locator.innerText();
  if (!re.test(text)) throw new Error(`expected ${re} in "${text.slice(0, 200)}"`);
};
const calls = (page, cmd) => page.evaluate((c) => window.__mock.state.calls.filter((x) => x.cmd === c).map((x) => x.args), cmd);

try {
  await check('servers: list shows servers with masked values', async (page) => {
    await open(page);
    await expectText(page.locator('#server-list'), /echo_server/);
    const body = await page.locator('body').innerText();
    if (body.includes('tok-123456')) throw new Error('env value shown in clear');
    await shot(page, 'servers');
  });

  await check('servers: add with inline validation, then save', async (page) => {
    await open(page);
    await page.click('#add-server');
    await page.click('#server-save');
    await expectText(page.locator('#server-name-error'), /name/);
    await page.fill('#server-name', 'bad name!');
    await expectText(page.locator('#server-name-error'), /letters, digits/);
    await page.fill('#server-name', 'files');
    await page.fill('#server-command', 'does-not-exist');
    await page.click('#server-save');
    await expectText(page.locator('#server-command-error'), /not found on PATH/);
    await shot(page, 'servers-validation');
    await page.fill('#server-command', 'npx');
    await page.fill('#server-args', '-y\n@modelcontextprotocol/server-filesystem');
    await page.click('#server-env-add');
    await page.fill('[aria-label="Variable 1 name"]', 'ROOT');
    await page.fill('[aria-label="Variable 1 value"]', '/tmp');
    await page.click('#server-save');
    await expectText(page.locator('#server-list'), /files/);
    const edits = await calls(page, 'config_edit');
    const add = edits.find((a) => a.edit.op === 'add_server');
    if (!add || add.edit.server.transport.args.length !== 2 || add.edit.server.transport.env.ROOT !== '/tmp')
      throw new Error(`unexpected add edit ${JSON.stringify(add)}`);
  });

  await check('servers: "Check settings" shows the sidecar check-config verdict', async (page) => {
    await open(page);
    await page.click('#check-config');
    await expectText(page.locator('#check-result .friendly'), /settings are valid/);
    await page.click('#check-result summary');
    await expectText(page.locator('#check-result pre'), /valid \(1 gateway/);
  });

  await check('servers: edit and remove', async (page) => {
    await open(page);
    await page.click('[aria-label="Edit echo_server"]');
    await page.fill('#server-description', 'renamed description');
    await page.click('#server-save');
    await expectText(page.locator('#server-list'), /renamed description/);
    await page.click('[aria-label="Remove echo_server"]');
    await page.click('text=Yes, remove echo_server');
    await page.locator('#no-servers').waitFor();
  });

  await check('servers: move an env value to the keychain in one click', async (page) => {
    await open(page);
    await page.click('[aria-label="Move API_TOKEN of echo_server to the keychain"]');
    await expectText(page.locator('[data-server="echo_server"] .values'), /in keychain: ECHO_SERVER_API_TOKEN/);
    const sets = await calls(page, 'secret_set');
    if (sets[0]?.name !== 'ECHO_SERVER_API_TOKEN') throw new Error(JSON.stringify(sets));
  });

  await check('guardrails: global toggle, policy edit, provider', async (page) => {
    await open(page);
    await page.click('#nav-guardrails');
    await page.click('#guardrails-toggle');
    await expectText(page.locator('#guardrails-pill'), /on/);
    await page.check('#policy-echo_server-input [data-detector="pii"]');
    await page.click('#policy-echo_server-input-save');
    await page.selectOption('#guardrails-provider', 'enkrypt');
    await page.locator('#provider-needs-key').waitFor();
    const edits = (await calls(page, 'config_edit')).map((a) => a.edit);
    const policy = edits.find((e) => e.op === 'set_guardrail_policy');
    if (!policy?.policy.block.includes('pii') || policy.side !== 'input') throw new Error(JSON.stringify(policy));
    if (!edits.some((e) => e.op === 'set_guardrails_enabled' && e.enabled)) throw new Error('no toggle edit');
    await shot(page, 'guardrails');
  });

  await check('guardrails: quarantined tool shows its diff and can be approved', async (page) => {
    await open(page);
    await page.click('#nav-guardrails');
    await expectText(page.locator('#quarantine-list'), /id_rsa/);
    await page.click('text=Approve echo');
    await page.locator('#no-quarantine').waitFor();
  });

  await check('clients: status, install and what changed', async (page) => {
    await open(page);
    await page.click('#nav-clients');
    await expectText(page.locator('[data-client="cursor"]'), /Needs an update/);
    await page.click('#install-claude-desktop');
    await expectText(page.locator('#report-claude-desktop'), /Restart Claude Desktop/);
    await expectText(page.locator('[data-client="claude-desktop"] [data-state]'), /Added/);
    await page.click('#uninstall-claude-desktop');
    await expectText(page.locator('#report-claude-desktop'), /Removed/);
    await shot(page, 'clients');
  });

  await check('live log: backlog, a new event within 1 s, filter, detail pane', async (page) => {
    await open(page);
    await page.click('#nav-log');
    await expectText(page.locator('#log-count'), /2 of 2/);
    const t0 = Date.now();
    await page.evaluate(() => window.__mock.push({ event: 'block', decision: 'blocked', tool: 'delete_all', detectors: ['injection_attack'] }));
    await page.locator('#log-table tbody tr').first().filter({ hasText: 'delete_all' }).waitFor({ timeout: 1000 });
    const ms = Date.now() - t0;
    await page.selectOption('#filter-decision', 'blocked');
    await expectText(page.locator('#log-count'), /2 of 3/);
    await page.locator('#log-table tbody tr').first().focus();
    await page.keyboard.press('Enter');
    await expectText(page.locator('#log-detail'), /injection_attack/);
    console.log(`  (new event on screen after ${ms} ms)`);
    await shot(page, 'live-log');
  });

  await check('secrets: names only; set, replace, delete', async (page) => {
    await open(page);
    await page.click('#nav-secrets');
    await expectText(page.locator('#secret-list'), /GITHUB_TOKEN/);
    await page.fill('#secret-new-name', 'OPENAI_KEY');
    await page.fill('#secret-new-value', 'sk-123');
    await page.click('#secret-new-save');
    await expectText(page.locator('#secret-list'), /OPENAI_KEY/);
    if ((await page.locator('body').innerText()).includes('sk-123')) throw new Error('value shown');
    await page.click('[aria-label="Replace GITHUB_TOKEN"]');
    await page.fill('#secret-GITHUB_TOKEN-value', 'new');
    await page.click('#secret-GITHUB_TOKEN-save');
    await page.click('[aria-label="Delete OPENAI_KEY"]');
    await page.click('text=Yes, delete OPENAI_KEY');
    await page.locator('[data-secret="OPENAI_KEY"]').waitFor({ state: 'detached' });
    await shot(page, 'secrets');
  });

  await check('secrets: a locked keychain is explained in plain words, detail one click away', async (page) => {
    await open(page, 'keychain-locked');
    await page.click('#nav-secrets');
    await expectText(page.locator('[data-code="keychain_locked"] .friendly'), /password store.*locked/);
    await page.click('[data-code="keychain_locked"] summary');
    await expectText(page.locator('[data-code="keychain_locked"] .technical').first(), /Unlock your keyring/);
  });

  await check('first run: create settings, skip the key, add to an app', async (page) => {
    await open(page, 'first-run');
    await page.click('#setup-create');
    await page.fill('#setup-api-key', 'ek-abc');
    await shot(page, 'first-run');
    await page.click('#setup-save-key');
    await page.click('#setup-install-claude-desktop');
    await page.locator('text=Added').first().waitFor();
    await page.click('#setup-finish');
    await page.locator('#server-list').waitFor();
    const edits = (await calls(page, 'config_edit')).map((a) => a.edit.op);
    if (!edits.includes('set_enkrypt_api_key')) throw new Error(`edits: ${edits}`);
  });

  await check('keyboard: every page reachable with Tab and Enter', async (page) => {
    await open(page);
    await page.locator('#server-list').waitFor();
    for (const id of ['guardrails', 'clients', 'log', 'secrets']) {
      await page.focus(`#nav-${id}`);
      await page.keyboard.press('Enter');
      await page.locator(`#nav-${id}[aria-current="page"]`).waitFor();
    }
    const unlabelled = await page.evaluate(
      () => [...document.querySelectorAll('input, select, textarea')].filter((el) => !el.labels?.length && !el.getAttribute('aria-label')).length,
    );
    if (unlabelled) throw new Error(`${unlabelled} unlabelled controls`);
  });
} finally {
  await browser.close();
  await server.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
