/**
 * `npm run import -- <file.jsonl|file.json> [--server URL] [--api-key KEY]`: loads profiles into a running
 * nearfeed server through POST /api/v1/profiles/batch.
 *
 * - Streams the file (JSON Lines; a .json array is read whole) in batches that fit the server's limits, with a
 *   progress bar (items, items/s, ETA) on stderr.
 * - Every bad line is reported by its number (unparsable JSON, or the server's reason) and skipped; the others
 *   are stored. A summary goes to stdout at the end.
 * - Rerunning is safe: every profile is an upsert by id.
 * - Exit status: 0 everything stored; 1 some lines failed; 2 the import stopped (file unreadable, server
 *   unreachable or refusing): what was acknowledged before is stored, a rerun finishes the rest.
 */
import { parseArgs } from 'node:util';
import type { ProfileBatchResult } from '../shared/api';
import { formatSeconds, ProgressBar } from './import/progress';
import { countItems, readItems } from './import/read-items';
import { ImportAborted, Uploader, type PendingItem } from './import/uploader';

const USAGE = `usage: npm run import -- <file.jsonl|file.json> [--server URL] [--api-key KEY] [--batch-size N]

  --server URL      nearfeed server (default $NEARFEED_SERVER or http://localhost:8787)
  --api-key KEY     sent as Authorization: Bearer KEY (default $NEARFEED_API_KEY)
  --batch-size N    most profiles per request (default and maximum: the server's max_import_batch)`;

type Status = ProfileBatchResult['status'];

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        server: { type: 'string' },
        'api-key': { type: 'string' },
        'batch-size': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  const file = positionals[0]!;
  const server = values.server ?? process.env.NEARFEED_SERVER ?? 'http://localhost:8787';
  const apiKey = values['api-key'] ?? process.env.NEARFEED_API_KEY;
  const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1)) {
    console.error(`--batch-size must be a positive integer, got ${JSON.stringify(values['batch-size'])}`);
    return 2;
  }

  const uploader = new Uploader({
    server,
    ...(apiKey ? { apiKey } : {}),
    onRetry: (why, waitMs) => bar?.note(`${why}; retrying in ${formatSeconds(waitMs / 1000)}`),
  });
  let bar: ProgressBar | undefined;
  const counts: Record<Status, number> = { created: 0, updated: 0, deleted: 0, not_found: 0, error: 0 };
  const failedLines: number[] = [];
  const started = performance.now();
  let done = 0;

  const fail = (line: number, why: string) => {
    failedLines.push(line);
    counts.error++;
    bar?.note(`line ${line}: ${why}`);
  };

  try {
    const total = await countItems(file);
    const limits = await uploader.limits();
    if (batchSize !== undefined) limits.maxItems = Math.min(limits.maxItems, batchSize);
    bar = new ProgressBar(total);

    let batch: PendingItem[] = [];
    let size = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const results = await uploader.send(batch);
      results.forEach((r, i) => {
        const line = batch[i]!.line;
        if (r.status === 'error') fail(line, (r.error ?? 'refused').replace(/^upsert\[\d+\]: /, ''));
        else counts[r.status]++;
      });
      done += batch.length;
      bar?.update(done);
      batch = [];
      size = 0;
    };
    for await (const item of readItems(file)) {
      if ('error' in item) {
        fail(item.line, item.error);
        done++;
        continue;
      }
      const json = JSON.stringify(item.value);
      const bytes = Buffer.byteLength(json);
      if (!Uploader.fits(limits, batch.length, size, bytes)) await flush();
      if (!Uploader.fits(limits, 0, 0, bytes)) {
        fail(item.line, `the profile is ${bytes} bytes, more than the server's max_body_bytes ${limits.maxBytes} allows`);
        done++;
        continue;
      }
      batch.push({ line: item.line, json });
      size += bytes;
    }
    await flush();
    bar.update(done);
  } catch (err) {
    bar?.finish();
    const stored = counts.created + counts.updated;
    const why = err instanceof ImportAborted || err instanceof Error ? err.message : String(err);
    console.error(`import stopped: ${why}`);
    console.error(`${stored.toLocaleString('en')} profiles were stored before it stopped; rerunning the import is safe (upserts by id).`);
    return 2;
  }
  bar.finish();

  const seconds = (performance.now() - started) / 1000;
  const stored = counts.created + counts.updated;
  console.log(
    `imported ${stored.toLocaleString('en')} of ${done.toLocaleString('en')} profiles in ${seconds.toFixed(1)} s ` +
      `(${Math.round(stored / Math.max(seconds, 1e-3)).toLocaleString('en')}/s): ${counts.created.toLocaleString('en')} created, ` +
      `${counts.updated.toLocaleString('en')} updated, ${counts.error.toLocaleString('en')} failed`,
  );
  if (failedLines.length > 0) {
    const shown = failedLines.slice(0, 20).join(', ');
    console.log(`failed lines: ${shown}${failedLines.length > 20 ? `, … (${failedLines.length - 20} more, listed above)` : ''}`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
