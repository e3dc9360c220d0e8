import { describe, expect, it } from 'vitest';
import { DEV_IDP_HEADING, escapeHtml, loginPage } from './pages.js';

describe('dev IdP pages', () => {
  it('open with the development heading and escape everything they echo', () => {
    const html = loginPage({
      action: '/i/x/login',
      abortAction: '/i/x/abort',
      clientName: '<script>alert(1)</script>',
      users: [{ sub: 'a"b', name: '<b>x</b>', email: 'e', org: null, department: null, groups: [], kind: 'workforce', description: "it's" }],
    });
    expect(html).toContain(`<h1 id="dev-idp-banner">${escapeHtml(DEV_IDP_HEADING)}</h1>`);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('value="a&#34;b"');
  });
});
