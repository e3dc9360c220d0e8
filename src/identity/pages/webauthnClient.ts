// The browser side of the security-key ceremonies, served as /assets/radgate-webauthn.js.
// It uses SimpleWebAuthn's UMD bundle (window.SimpleWebAuthnBrowser, v14: { optionsJSON }).
export const WEBAUTHN_CLIENT_JS = `(() => {
  const form = document.getElementById('webauthn');
  if (!form) return;
  const status = document.getElementById('webauthn-status');
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') || '';
  const mode = form.dataset.mode;
  const returnTo = form.dataset.returnTo || '/';
  const api = window.SimpleWebAuthnBrowser;
  const post = async (path, body) => {
    const res = await fetch(path, { method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(body || {}) });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.detail || data.title || ('HTTP ' + res.status));
    return data;
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.textContent = 'Waiting for your security key…';
    try {
      if (!api || !api.browserSupportsWebAuthn()) throw new Error('This browser does not support security keys (WebAuthn).');
      const base = mode === 'register' ? '/auth/webauthn/register' : mode === 'step-up' ? '/auth/webauthn/step-up' : '/auth/webauthn/authenticate';
      const optionsJSON = await post(base + '/options');
      const response = mode === 'register'
        ? await api.startRegistration({ optionsJSON })
        : await api.startAuthentication({ optionsJSON });
      const extra = mode === 'register'
        ? { name: form.elements.name ? form.elements.name.value : undefined,
            enrolmentCode: form.elements.enrolmentCode ? form.elements.enrolmentCode.value : undefined }
        : {};
      await post(base + '/verify', Object.assign({ response }, extra));
      status.textContent = 'Done.';
      window.location.assign(returnTo);
    } catch (err) {
      status.textContent = 'Security key check failed: ' + (err && err.message ? err.message : String(err));
      status.setAttribute('class', 'error');
    }
  });
})();`;
