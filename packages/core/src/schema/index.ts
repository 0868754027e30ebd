export { Nullable } from './nullable.js';
export { DateTime, NullableDateTime, listQueryProperties } from './common.js';
export { problemOf, schemaProblems } from './field-problems.js';
export type { SchemaIssue } from './field-problems.js';
