// A real MCP session through gateway-core over stdio, for tests/conformance/gateway-as-client.sh:
// initialize, tools/list, then tools/call of the first tool (arguments {}). Dependency-free on purpose.
//
//   node mcp-session.mjs GATEWAY_CORE CONFIG
//
// Exit status: 0 when the call returned a result without isError, 3 when the gateway says the server
// needs a sign-in (the script may sign in again and retry), 1 otherwise. Progress goes to stderr.
import { spawn } from 'node:child_process';

const [gateway, config] = process.argv.slice(2);
const child = spawn(gateway, ['--config', config], { stdio: ['pipe', 'pipe', 'inherit'] });
const waiting = new Map();
let buffer = '';
let nextId = 1;

child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk) => {
  buffer += chunk;
  let end;
  while ((end = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, end).trim();
    buffer = buffer.slice(end + 1);
    if (!line) continue;
    const message = JSON.parse(line);
    if (message.id !== undefined && !message.method && waiting.has(message.id)) {
      waiting.get(message.id)(message);
      waiting.delete(message.id);
    }
  }
});

function send(message) {
  child.stdin.write(JSON.stringify(message) + '\n');
}

function request(method, params) {
  const id = nextId++;
  send({ jsonrpc: '2.0', id, method, params });
  return new Promise((resolve, reject) => {
    waiting.set(id, resolve);
    setTimeout(() => reject(new Error(`${method} got no answer within 60 s`)), 60000).unref();
  });
}

function done(status) {
  child.stdin.end();
  setTimeout(() => process.exit(status), 200);
}

try {
  const init = await request('initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'gateway-as-client', version: '1' },
  });
  if (init.error) throw new Error(`initialize: ${JSON.stringify(init.error)}`);
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  const list = await request('tools/list', {});
  if (list.error) throw new Error(`tools/list: ${JSON.stringify(list.error)}`);
  const tools = list.result.tools.filter((t) => !t.name.startsWith('enkrypt_'));
  console.error(`session: ${tools.length} upstream tool(s): ${tools.map((t) => t.name).join(', ')}`);
  if (tools.length === 0) {
    // tools/list degrades to an empty list when the upstream cannot be reached; ask the gateway why.
    const info = await request('tools/call', { name: 'enkrypt_discover_all_tools', arguments: {} });
    const text = JSON.stringify(info.result ?? info.error ?? {});
    console.error(`session: no tools; discovery says: ${text.slice(0, 400)}`);
    done(/sign-in|sign in/.test(text) ? 3 : 1);
  } else {
    const call = await request('tools/call', { name: tools[0].name, arguments: {} });
    const text = JSON.stringify(call.result ?? call.error ?? {});
    console.error(`session: tools/call ${tools[0].name} → ${text.slice(0, 400)}`);
    if (call.result && !call.result.isError) done(0);
    else done(/sign-in|sign in/.test(text) ? 3 : 1);
  }
} catch (error) {
  console.error(`session failed: ${error.message}`);
  done(1);
}
