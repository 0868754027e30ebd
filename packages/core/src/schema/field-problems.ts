import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Settings } from 'typebox/system';
import type { FieldProblem } from '../errors/index.js';

/**
 * One wording per validation problem, for the API (ajv) and the services (TypeBox) alike: a
 * property schema names its problem once (`'x-problem': 'must be a whole number from 1 to 65535'`, an
 * OpenAPI extension)
 * and every keyword that fails on it reports that text; a missing field "is required", an
 * unknown one "is not a known field".
 */
export interface SchemaIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  /** The schema of the failing keyword (ajv with `verbose`); else looked up by `schemaPath`. */
  parentSchema?: unknown;
  schemaPath?: string;
}

/** The field and wording of one issue; `root` is the schema the issue's paths start at. */
export function problemOf(issue: SchemaIssue, root?: unknown): FieldProblem {
  const base = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const at = (name: unknown) => (base ? `${base}.${String(name)}` : String(name));
  if (issue.keyword === 'required') return { field: at(missingOf(issue)), problem: 'is required' };
  if (issue.keyword === 'additionalProperties') {
    const extra = issue.params.additionalProperty ?? (issue.params.additionalProperties as unknown[] | undefined)?.[0];
    return { field: at(extra), problem: 'is not a known field' };
  }
  // An empty required text is its own problem, whatever else the field's schema says.
  if (issue.keyword === 'minLength' && issue.params.limit === 1)
    return { field: base || '(root)', problem: 'must not be empty' };
  const schema = (issue.parentSchema ?? schemaAt(root, issue.schemaPath)) as { 'x-problem'?: string } | undefined;
  if (schema?.['x-problem']) return { field: base || '(root)', problem: schema['x-problem'] };
  if (issue.keyword === 'enum')
    return {
      field: base || '(root)',
      problem: `must be one of ${(issue.params.allowedValues as unknown[]).join(', ')}`,
    };
  return { field: base || '(root)', problem: issue.message ?? 'is invalid' };
}

/** The missing property of a `required` issue: ajv names one per issue, TypeBox lists those missing. */
function missingOf(issue: SchemaIssue): unknown {
  return issue.params.missingProperty ?? (issue.params.requiredProperties as unknown[] | undefined)?.[0];
}

/** The problems of `value` against `schema`, one per field, in the schema's wording. */
export function schemaProblems(schema: TSchema, value: unknown): FieldProblem[] {
  const compiled = compiledOf(schema);
  if (compiled.Check(value)) return [];
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const issue of compiled.Errors(value) as Iterable<SchemaIssue>) {
    // A failed `additionalProperties: false` also reports each extra property as "schema is false".
    if (issue.keyword === 'boolean') continue;
    const missing = issue.keyword === 'required' ? ((issue.params.requiredProperties as unknown[]) ?? []) : [];
    const found = missing.length > 1 ? missing.map((m) => problemOf({ ...issue, params: { missingProperty: m } })) : [];
    for (const p of found.length > 0 ? found : [problemOf(issue, schema)]) {
      if (seen.has(p.field)) continue;
      seen.add(p.field);
      problems.push(p);
    }
  }
  return problems;
}

// Every problem of a form at once (TypeBox stops after 8 by default); an account has 12 fields.
Settings.Set({ maxErrors: 64 });

const compiled = new WeakMap<TSchema, ReturnType<typeof Compile>>();

function compiledOf(schema: TSchema) {
  let c = compiled.get(schema);
  if (!c) compiled.set(schema, (c = Compile(schema)));
  return c;
}

/** The sub-schema at a JSON pointer such as `#/properties/port`. */
function schemaAt(root: unknown, path: string | undefined): unknown {
  if (!root || !path) return undefined;
  let node: unknown = root;
  for (const part of path.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return node;
}
