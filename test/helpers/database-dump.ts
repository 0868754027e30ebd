import pg from 'pg';

/** Every row of every table as JSON text, one row a line: to search a test database for what must not be there. */
export async function dumpDatabase(databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
    );
    let dump = '';
    for (const { tablename } of tables.rows)
      dump += (await client.query(`SELECT row_to_json(t)::text AS j FROM "${tablename}" t`)).rows
        .map((r) => r.j)
        .join('\n');
    return dump;
  } finally {
    await client.end();
  }
}
