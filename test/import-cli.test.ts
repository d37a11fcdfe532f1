/**
 * `npm run import` against a real server process (tsx server/main.ts, memory store): a JSON Lines file with
 * bad lines stores the good ones, names each bad line, prints a summary and exits 1; a rerun is safe (the same
 * end state, as updates); a clean .json array exits 0; an unreachable server stops with exit 2.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncResponse } from '../shared/api';
import { freePort, startServer, type ServerProcess } from '../bench/support/server-process';
import { TEST_MODEL_DIR } from './support/candidate-app';

let server: ServerProcess;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'nearfeed-import-'));
  // A small import batch, so the file goes in several requests.
  server = await startServer({ model: TEST_MODEL_DIR, env: { MAX_IMPORT_BATCH: '100' } });
}, 180_000);
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function person(i: number, headline = 'Engineer'): Record<string, unknown> {
  return { id: `imp-${String(i).padStart(4, '0')}`, name: `Person ${i}`, headline, bio: 'Imported.', tags: ['imported'], diligence: 0.5, engagement: 0.5 };
}

function runImport(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.resolve('node_modules', '.bin', 'tsx'), ['scripts/import.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function storedImports(): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  let cursor: string | null = null;
  for (;;) {
    const query = new URLSearchParams({ limit: '5000', tags: 'imported' });
    if (cursor) query.set('cursor', cursor);
    const page = (await (await fetch(`${server.baseUrl}/api/v1/sync?${query}`)).json()) as SyncResponse;
    for (const c of page.changes) if (c.op === 'put') out.set(c.profile.id, c.profile);
    cursor = page.cursor;
    if (!page.has_more) return out;
  }
}

describe('npm run import', () => {
  it('stores the good lines, names each bad one, exits 1; a rerun is safe', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 250; i++) lines.push(JSON.stringify(person(i)));
    lines[9] = '{"id": "broken", "name": '; // line 10: not JSON
    lines[99] = JSON.stringify({ ...person(99), engagement: 7 }); // line 100: refused by the server
    lines[199] = '[1, 2]'; // line 200: not an object
    lines.splice(50, 0, ''); // a blank line is skipped (and shifts the later line numbers by one)
    const file = path.join(dir, 'people.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const first = await runImport([file, '--server', server.baseUrl]);
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toMatch(/line 10: not valid JSON/);
    expect(first.stderr).toMatch(/line 101: .*engagement.*\[0, 1\]/);
    expect(first.stderr).toMatch(/line 201: expected a profile \(a JSON object\), got an array/);
    expect(first.stderr).toMatch(/250\/250 items/); // the progress bar reached the end
    expect(first.stdout).toMatch(/imported 247 of 250 profiles in .* s \(.*\/s\): 247 created, 0 updated, 3 failed/);
    expect(first.stdout).toMatch(/failed lines: 10, 101, 201/);

    const stored = await storedImports();
    expect(stored.size).toBe(247);
    expect(stored.has('imp-0009')).toBe(false);
    expect(stored.has('imp-0099')).toBe(false);
    expect(stored.get('imp-0000')).toMatchObject(person(0));

    const again = await runImport([file, '--server', server.baseUrl]);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/0 created, 247 updated, 3 failed/);
    expect((await storedImports()).size).toBe(247);
  }, 120_000);

  it('a clean JSON array exits 0', async () => {
    const file = path.join(dir, 'people.json');
    writeFileSync(file, JSON.stringify([person(1000, 'Designer'), person(1001, 'Designer')]));
    const res = await runImport([file, '--server', server.baseUrl, '--batch-size', '1']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/imported 2 of 2 profiles .*: 2 created, 0 updated, 0 failed/);
    expect((await storedImports()).get('imp-1001')).toMatchObject({ headline: 'Designer' });
  }, 60_000);

  it('stops with exit 2 and says so when the server cannot be reached', async () => {
    const file = path.join(dir, 'one.jsonl');
    writeFileSync(file, `${JSON.stringify(person(5))}\n`);
    const res = await runImport([file, '--server', `http://127.0.0.1:${await freePort()}`]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/import stopped: /);
    expect(res.stderr).toMatch(/rerunning the import is safe/);
  }, 60_000);
});
