export { Nullable } from './nullable.js';
export { problemOf, schemaProblems } from './field-problems.js';
export type { SchemaIssue } from './field-problems.js';
