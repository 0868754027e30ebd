import { describe, expect, it } from 'vitest';
import { html, trusted } from './html.js';

describe(html.name, () => {
  it('escapes interpolated text, including attribute quotes', () => {
    expect(html`<a title="${'"><script>x</script>'}">${"<b>Tom & Jerry's</b>"}</a>`.value).toBe(
      '<a title="&quot;&gt;&lt;script&gt;x&lt;/script&gt;">&lt;b&gt;Tom &amp; Jerry&#39;s&lt;/b&gt;</a>',
    );
  });

  it('keeps nested html and lists, drops null/undefined/false', () => {
    const items = ['a', '<b>'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}${null}${undefined}${false}</ul>${trusted('<hr>')}`.value).toBe(
      '<ul><li>a</li><li>&lt;b&gt;</li></ul><hr>',
    );
  });
});
