// Splits a watch stream (one JSON document per line) into lines across chunk boundaries.
import { StringDecoder } from 'node:string_decoder';

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';

  constructor(private readonly maxLineBytes: number) {}

  /** The complete lines in this chunk; throws when a line grows past maxLineBytes (a runaway stream). */
  push(chunk: Buffer): string[] {
    const text = this.rest + this.decoder.write(chunk);
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    if (this.rest.length > this.maxLineBytes) throw new Error(`a watch event longer than ${this.maxLineBytes} bytes`);
    return lines.filter((l) => l.trim() !== '');
  }

  /** What is left when the stream ends: a last line without its newline. */
  end(): string[] {
    const last = (this.rest + this.decoder.end()).trim();
    this.rest = '';
    return last ? [last] : [];
  }
}
