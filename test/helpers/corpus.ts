import { join } from 'node:path';

/**
 * The public mail corpus: raw messages from the test fixtures of open-source mail parsers, byte
 * for byte (sources, commits and licences in test/fixtures/corpus/SOURCES.md).
 */
export const CORPUS = join(import.meta.dirname, '..', 'fixtures', 'corpus');
