/**
 * The items of an import file, one at a time with their line number: JSON Lines (`.jsonl`, `.ndjson`: one
 * profile per line, read as a stream, blank lines skipped) or a JSON array (`.json`: parsed whole; an item's
 * "line" is its position in the array, from 1). A line that is not a JSON object comes out as an error with
 * its line number, never stops the reading.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/** One line of the file: a parsed object, or why it is not one. */
export type ImportLine = { line: number; value: Record<string, unknown> } | { line: number; error: string };

/** Whether `file` is read as JSON Lines (else as one JSON array). */
export function isJsonLines(file: string): boolean {
  return /\.(jsonl|ndjson)$/i.test(file);
}

/** How many items the file holds (non-blank lines, or array items), for the progress bar's total. */
export async function countItems(file: string): Promise<number> {
  if (!isJsonLines(file)) return (await readArray(file)).length;
  let count = 0;
  for await (const text of lines(file)) if (text.trim() !== '') count++;
  return count;
}

/** Every item of the file, in order. */
export async function* readItems(file: string): AsyncGenerator<ImportLine> {
  if (!isJsonLines(file)) {
    const items = await readArray(file);
    for (let i = 0; i < items.length; i++) yield checked(items[i], i + 1);
    return;
  }
  let line = 0;
  for await (const text of lines(file)) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      yield { line, error: `not valid JSON (${(err as Error).message})` };
      continue;
    }
    yield checked(value, line);
  }
}

function checked(value: unknown, line: number): ImportLine {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { line, error: `expected a profile (a JSON object), got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}` };
  }
  return { line, value: value as Record<string, unknown> };
}

function lines(file: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
}

async function readArray(file: string): Promise<unknown[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}); use .jsonl for one profile per line`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${file} must hold a JSON array of profiles (or use .jsonl, one per line)`);
  return parsed;
}
