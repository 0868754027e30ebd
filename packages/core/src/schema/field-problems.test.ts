import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { problemOf, schemaProblems } from './field-problems.js';
import { Nullable } from './nullable.js';

const Schema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 5, 'x-problem': 'must be text of at most 5 characters' }),
    port: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 9 }), { 'x-problem': 'must be 1 to 9' })),
    kind: Type.Enum(['a', 'b']),
  },
  { additionalProperties: false },
);

describe('schemaProblems', () => {
  it('words every keyword of a field by the field’s x-problem', () => {
    expect(schemaProblems(Schema, { name: 'toolong', port: 0, kind: 'a' })).toEqual([
      { field: 'name', problem: 'must be text of at most 5 characters' },
      { field: 'port', problem: 'must be 1 to 9' },
    ]);
    expect(schemaProblems(Schema, { name: 7, port: 'x', kind: 'a' })).toEqual([
      { field: 'name', problem: 'must be text of at most 5 characters' },
      { field: 'port', problem: 'must be 1 to 9' },
    ]);
  });

  it('names each missing field, an unknown one, an empty text and an enum without x-problem', () => {
    expect(schemaProblems(Schema, { extra: 1 })).toEqual(
      expect.arrayContaining([
        { field: 'name', problem: 'is required' },
        { field: 'kind', problem: 'is required' },
        { field: 'extra', problem: 'is not a known field' },
      ]),
    );
    expect(schemaProblems(Schema, { name: '', kind: 'c' })).toEqual([
      { field: 'name', problem: 'must not be empty' },
      { field: 'kind', problem: 'must be one of a, b' },
    ]);
    expect(schemaProblems(Schema, { name: 'ok', port: null, kind: 'b' })).toEqual([]);
  });
});

describe('problemOf an ajv issue', () => {
  it('takes the wording from the issue’s schema (ajv verbose) and the field from its path', () => {
    const parentSchema = { type: 'integer', 'x-problem': 'must be 1 to 9' };
    expect(problemOf({ keyword: 'minimum', instancePath: '/dispatch/queueId', params: {}, parentSchema })).toEqual({
      field: 'dispatch.queueId',
      problem: 'must be 1 to 9',
    });
    expect(problemOf({ keyword: 'required', instancePath: '', params: { missingProperty: 'host' } })).toEqual({
      field: 'host',
      problem: 'is required',
    });
    expect(problemOf({ keyword: 'maximum', instancePath: '/x', params: {}, message: 'must be <= 3' })).toEqual({
      field: 'x',
      problem: 'must be <= 3',
    });
  });
});
