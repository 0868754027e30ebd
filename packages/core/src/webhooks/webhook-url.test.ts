import { describe, expect, it } from 'vitest';
import { webhookUrlProblem } from './webhook-url.js';

const strict = { allowHttp: false };

describe(webhookUrlProblem.name, () => {
  it('takes https URLs with a port, path and query', () => {
    expect(webhookUrlProblem('https://tickets.example.com:8443/hooks/mailduct?desk=1', strict)).toBeNull();
  });

  it('takes http only where the operator allows it', () => {
    expect(webhookUrlProblem('http://tickets.example.com/h', strict)).toMatch(/MAILDUCT_WEBHOOK_ALLOW_HTTP/);
    expect(webhookUrlProblem('http://tickets.example.com/h', { allowHttp: true })).toBeNull();
  });

  it('says what is wrong with anything else', () => {
    expect(webhookUrlProblem('tickets.example.com/h', strict)).toMatch(/absolute URL/);
    expect(webhookUrlProblem('ftp://example.com/', strict)).toBe('must be an https URL');
    expect(webhookUrlProblem('javascript:alert(1)', strict)).toBe('must be an https URL');
    expect(webhookUrlProblem('https://user:pw@example.com/', strict)).toMatch(/user name or password/);
    expect(webhookUrlProblem('https://example.com/#x', strict)).toMatch(/fragment/);
    expect(webhookUrlProblem(`https://example.com/${'a'.repeat(2000)}`, strict)).toMatch(/at most 2000/);
  });
});
