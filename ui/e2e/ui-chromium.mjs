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
// Opens the app (home page first) and, unless `nav` is null, goes to that page.
const open = async (page, scenario = '', nav = 'servers') => {
  await page.goto(`http://127.0.0.1:${PORT}/e2e/mock.html${scenario ? `?scenario=${scenario}` : ''}`);
  if (nav && scenario !== 'first-run') await page.click(`#nav-${nav}`);
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

  await check('first run: create settings, save the key, protect my apps, home', async (page) => {
    await page.setViewportSize({ width: 1100, height: 760 });
    await open(page, 'first-run');
    await page.click('#setup-create');
    await page.fill('#setup-api-key', 'ek-abc');
    await shot(page, 'first-run');
    await page.click('#setup-save-key');
    await expectText(page.locator('#protect-list [data-client="claude-desktop"]'), /github[\s\S]*files/);
    await expectText(page.locator('#protect-list [data-client="cursor"]'), /notes/);
    await shot(page, 'first-run-protect');
    await page.click('#setup-protect');
    await expectText(page.locator('#protect-list [data-client="claude-desktop"]'), /Protected: 2 server/);
    await page.click('#setup-finish');
    await page.locator('#home-apps').waitFor();
    const edits = (await calls(page, 'config_edit')).map((a) => a.edit.op);
    if (!edits.includes('set_enkrypt_api_key')) throw new Error(`edits: ${edits}`);
    const imports = await calls(page, 'client_import');
    if (imports.length !== 2 || !imports[0].dryRun || imports[1].dryRun || imports[1].client !== null)
      throw new Error(`imports: ${JSON.stringify(imports)}`);
  });

  await check('first run: step labels do not overlap at the default window size (1100x760)', async (page) => {
    await page.setViewportSize({ width: 1100, height: 760 });
    await open(page, 'first-run');
    const boxes = await page.locator('.steps li').evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        // The ::before counter is part of the box now (list-style none), so the box is the whole label.
        const st = getComputedStyle(el);
        // An outside list marker is drawn left of the box, over the previous label: the old bug.
        const outsideMarker = st.listStyleType !== 'none' && st.listStylePosition === 'outside';
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, w: el.scrollWidth, cw: el.clientWidth, outsideMarker };
      }),
    );
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i];
        const b = boxes[j];
        if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) throw new Error(`labels ${i} and ${j} overlap`);
      }
    if (boxes.some((b) => b.w > b.cw + 1)) throw new Error('a step label overflows its box');
    if (boxes.some((b) => b.outsideMarker)) throw new Error('step numbers are drawn outside their labels');
  });

  await check('home: per app and per server status, attention, a live block within 1 s', async (page) => {
    await open(page, '', null);
    await expectText(page.locator('#home-apps [data-client="claude-desktop"]'), /2 servers bypass it \(github, files\)/);
    await expectText(page.locator('#home-servers [data-server="echo_server"]'), /unchecked/);
    await expectText(page.locator('#home-attention'), /quarantine/);
    const t0 = Date.now();
    await page.evaluate(() => window.__mock.push({ event: 'block', decision: 'blocked', tool: 'echo', detectors: ['injection_attack'] }));
    await page.locator('#home-latest-block').filter({ hasText: 'Prompt injection' }).waitFor({ timeout: 1000 });
    console.log(`  (block on the home page after ${Date.now() - t0} ms)`);
    await expectText(page.locator('#home-blocks'), /^1$/);
    await shot(page, 'home');
  });

  await check('apps: import an app, then undo keeping the servers', async (page) => {
    await open(page, '', 'clients');
    await page.click('#import-claude-desktop');
    await expectText(page.locator('#report-claude-desktop'), /2 servers now go through the gateway/);
    await shot(page, 'apps-import');
    await page.click('#undo-claude-desktop');
    await page.locator('#undo-ask-claude-desktop').waitFor();
    await page.click('#undo-keep-claude-desktop');
    await expectText(page.locator('#report-claude-desktop'), /back exactly as it was/);
    const restores = await calls(page, 'client_restore');
    if (restores[0]?.removeServers !== false) throw new Error(JSON.stringify(restores));
  });

  await check('guardrails (local): checks the offline engine cannot run are disabled with the reason', async (page) => {
    await open(page, '', 'guardrails');
    const box = page.locator('#policy-echo_server-output [data-detector="hallucination"]');
    await box.waitFor();
    if (!(await box.isDisabled())) throw new Error('hallucination offered in local mode');
    if (await page.locator('#policy-echo_server-input [data-detector="secrets"]').isDisabled()) throw new Error('secrets not offered');
    await expectText(page.locator('#policy-echo_server-output [data-why="hallucination"]'), /needs the Enkrypt AI API/);
    await shot(page, 'guardrails-local');
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
