/** Server-rendered sign-in, consent and message pages: no scripts, no external assets. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** What the scopes let an app do, in the words the consent page shows. */
const SCOPE_WORDS: Readonly<Record<string, string>> = {
  'data:read': 'Read your usage reports, contracts and teams',
  'data:write': 'Start queries and exports on your behalf',
  'data:create': 'Create data on your behalf',
  'data:search': 'Search your data',
  openid: 'Know who you are (your user id)',
  'user-profile:read': 'Read your name and e-mail address',
  profile: 'Read your name',
  email: 'Read your e-mail address',
  offline_access: 'Stay signed in to it while you are away',
};

const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1b1f24;margin:0}
main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin-top:0}label{display:block;margin:1rem 0 .3rem;font-weight:600}
input[type=email],input[type=password]{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #8a9099;border-radius:4px}
button{margin-top:1.2rem;padding:.6rem 1.2rem;font-size:1rem;border-radius:4px;border:1px solid #0b5cad;background:#0b5cad;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0b5cad;margin-left:.5rem}
:focus-visible{outline:3px solid #f5a623;outline-offset:2px}.error{color:#a4000f;font-weight:600}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · usage-insights</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

function hidden(fields: Readonly<Record<string, string | undefined>>): string {
  return Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
}

export function renderSignInPage(input: {
  readonly appName: string; readonly csrf: string; readonly params: Readonly<Record<string, string | undefined>>;
  readonly error?: string; readonly email?: string;
}): string {
  return page('Sign in', `<h1>Sign in</h1>
<p>to continue to <strong>${escapeHtml(input.appName)}</strong></p>
${input.error ? `<p class="error" role="alert" id="sign-in-error">${escapeHtml(input.error)}</p>` : ''}
<form method="post" action="/authentication/v2/sign-in">
${hidden({ ...input.params, csrf: input.csrf })}
<label for="email">E-mail address</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(input.email ?? '')}"${input.error ? ' aria-describedby="sign-in-error"' : ''}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`);
}

export function renderConsentPage(input: {
  readonly appName: string; readonly userEmail: string; readonly scopes: readonly string[]; readonly csrf: string;
  readonly params: Readonly<Record<string, string | undefined>>;
}): string {
  const items = input.scopes.map((scope) => `<li><strong>${escapeHtml(scope)}</strong>: ${escapeHtml(SCOPE_WORDS[scope] ?? scope)}</li>`).join('\n');
  return page('Allow access', `<h1>Allow <strong>${escapeHtml(input.appName)}</strong> to use your account?</h1>
<p>Signed in as ${escapeHtml(input.userEmail)}.</p>
<p id="scopes-label">The application asks to:</p>
<ul aria-labelledby="scopes-label">${items}</ul>
<form method="post" action="/authentication/v2/consent">
${hidden({ ...input.params, csrf: input.csrf })}
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`);
}

export function renderMessagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p role="alert">${escapeHtml(message)}</p>`);
}
