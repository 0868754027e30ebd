import type pg from 'pg';

/** CopyDone: 'c', length 4. */
const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]);

/**
 * Run `COPY … FROM STDIN` on a pg client and send `messages` (CopyData messages, see
 * copyDataMessages) in one corked write, without copying them. Resolves to the number of rows
 * copied; rejects with PostgreSQL's error (the COPY is then rolled back as a whole).
 */
export function copyIn(client: pg.ClientBase, sql: string, messages: readonly Buffer[]): Promise<number> {
  const query = new CopyInQuery(sql, messages);
  client.query(query);
  return query.done;
}

/**
 * A pg Submittable (the extension point pg-cursor and pg-copy-streams use): pg routes the
 * protocol messages of the active query to these handlers.
 */
class CopyInQuery implements pg.Submittable {
  readonly done: Promise<number>;
  private resolve!: (rows: number) => void;
  private reject!: (err: Error) => void;
  private rows = 0;
  /**
   * pg replaces this with a function that clears its `query_timeout` timer: it must be called
   * when the query ends, or the timer fires later, keeping the process alive until it does.
   */
  callback: (err?: Error | null) => void = () => {};

  constructor(
    private readonly sql: string,
    private messages: readonly Buffer[],
  ) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: pg.Connection): void {
    connection.query(this.sql);
  }

  handleCopyInResponse(connection: pg.Connection): void {
    const stream = connection.stream;
    stream.cork();
    for (const m of this.messages) stream.write(m);
    stream.write(COPY_DONE);
    this.messages = [];
    process.nextTick(() => stream.uncork());
  }

  handleCommandComplete(msg: { text?: string }): void {
    this.rows = Number(/^COPY (\d+)/.exec(msg.text ?? '')?.[1] ?? 0);
  }

  handleReadyForQuery(): void {
    this.callback(null);
    this.resolve(this.rows);
  }

  /** PostgreSQL's ErrorResponse, a lost connection or pg's query timeout. */
  handleError(err: Error): void {
    this.messages = [];
    this.callback(err);
    this.reject(err);
  }

  // A COPY FROM STDIN answers none of these; pg calls them only for other statements.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}
