import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Doc } from './document.js';
import { encodeRecord, type JournalOp } from './records.js';

interface PendingWrite {
  file: JournalFile;
  bytes: Buffer;
}

interface Waiter {
  sequence: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** A new file's directory entry is durable only once its directory is fsync'ed. */
export async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/** One journal file; opened (and created) by its first write. */
class JournalFile {
  private handle: Promise<FileHandle> | undefined;
  private isEntryDurable = false;
  constructor(readonly path: string) {}

  async write(bytes: Buffer): Promise<void> {
    this.handle ??= open(this.path, 'a');
    const handle = await this.handle;
    let written = 0;
    while (written < bytes.length) {
      const result = await handle.write(bytes, written, bytes.length - written);
      written += result.bytesWritten;
    }
  }

  async datasync(): Promise<void> {
    if (!this.handle) return;
    await (await this.handle).datasync();
    if (!this.isEntryDurable) {
      await syncDirectory(dirname(this.path));
      this.isEntryDurable = true;
    }
  }

  async close(): Promise<void> {
    if (this.handle) await (await this.handle).close();
    this.handle = undefined;
  }
}

/**
 * The write-ahead journal with group commit.
 *
 * `append` only queues a record; `sync` resolves once every record appended before the
 * call is written and fdatasync'ed. One flush runs at a time: records appended while it
 * waits on the disk all go out together in the next one, so concurrent writers share
 * each fdatasync and throughput stays high.
 */
export class Journal {
  private file: JournalFile;
  private retired: JournalFile[] = [];
  private pending: PendingWrite[] = [];
  private waiters: Waiter[] = [];
  private appendedSequence = 0;
  private durableSequence = 0;
  private flushing: Promise<void> | undefined;
  private failure: Error | undefined;
  /** Bytes in the current journal file: what decides when to take a snapshot. */
  bytes: number;

  constructor(path: string, existingBytes: number) {
    this.file = new JournalFile(path);
    this.bytes = existingBytes;
  }

  /** Set once a write or fdatasync failed: from then on nothing is acknowledged. */
  get failed(): Error | undefined {
    return this.failure;
  }

  append(op: JournalOp, doc?: Doc): void {
    if (this.failure) throw this.failure;
    this.appendEncoded(encodeRecord(op, doc));
  }

  /** Queues a record the caller encoded before changing memory (encoding can fail). */
  appendEncoded(bytes: Buffer): void {
    if (this.failure) throw this.failure;
    this.pending.push({ file: this.file, bytes });
    this.bytes += bytes.length;
    this.appendedSequence += 1;
  }

  /** Resolves when everything appended so far is on disk. */
  sync(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const sequence = this.appendedSequence;
    if (sequence <= this.durableSequence) return Promise.resolve();
    const promise = new Promise<void>((resolve, reject) => this.waiters.push({ sequence, resolve, reject }));
    this.flushing ??= this.flushLoop();
    return promise;
  }

  /**
   * Starts a new journal file: records appended from now on go there. The old file is
   * closed once its last records are durable.
   */
  rotate(newPath: string): void {
    this.retired.push(this.file);
    this.file = new JournalFile(newPath);
    this.bytes = 0;
    this.flushing ??= this.flushLoop();
  }

  async close(): Promise<void> {
    await this.sync().catch(() => undefined);
    await this.flushing;
    await this.file.close();
  }

  /**
   * Runs while there is work. It only ends right after finding nothing pending, with no
   * await in between: `sync` starts no second loop while this one runs, so a record
   * appended during the loop's last await (closing a retired file, say) would otherwise
   * wait for a flush that never comes, and its write would never be acknowledged.
   */
  private async flushLoop(): Promise<void> {
    try {
      for (;;) {
        if (this.pending.length > 0) {
          const batch = this.pending;
          const sequence = this.appendedSequence;
          this.pending = [];
          await this.writeBatch(batch);
          this.durableSequence = sequence;
          this.releaseWaiters();
        } else if (this.retired.length > 0) {
          // Nothing is pending, so retired files have all their records on disk.
          const retired = this.retired;
          this.retired = [];
          await Promise.all(retired.map((file) => file.close()));
        } else {
          return;
        }
      }
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      this.failure = new Error(`journal write failed: ${cause}`);
      for (const waiter of this.waiters) waiter.reject(this.failure);
      this.waiters = [];
    } finally {
      this.flushing = undefined;
    }
  }

  private async writeBatch(batch: PendingWrite[]): Promise<void> {
    const byFile = new Map<JournalFile, Buffer[]>();
    for (const write of batch) {
      const buffers = byFile.get(write.file) ?? [];
      buffers.push(write.bytes);
      byFile.set(write.file, buffers);
    }
    // Map iteration keeps first-seen order: an older file is always written first.
    for (const [file, buffers] of byFile) {
      await file.write(buffers.length === 1 ? (buffers[0] as Buffer) : Buffer.concat(buffers));
      await file.datasync();
    }
  }

  private releaseWaiters(): void {
    const waiting: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.sequence <= this.durableSequence) waiter.resolve();
      else waiting.push(waiter);
    }
    this.waiters = waiting;
  }
}
