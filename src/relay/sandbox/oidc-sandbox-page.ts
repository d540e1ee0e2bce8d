// The sandbox provider's own sign-in page: username and password, nothing else (consent is granted without a page).

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `uid` names the provider's interaction; `error` is shown above the form after a wrong password. */
export function loginPage(uid: string, clientId: string, error: string | null, username = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in — Branchline sandbox</title>
<style>
  body { font: 16px system-ui, sans-serif; display: grid; place-items: center; min-height: 100vh; margin: 0; background: #f3f5f7; }
  form { background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px #0002; display: grid; gap: .75rem; width: 20rem; }
  h1 { font-size: 1.25rem; margin: 0 0 .5rem; }
  p { margin: 0; color: #555; font-size: .875rem; }
  .error { color: #a00; }
  input, button { font: inherit; padding: .5rem; }
</style>
</head>
<body>
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
  <h1>Branchline sandbox sign-in</h1>
  <p>${escape(clientId)} asks who you are. This is the sandbox's own OpenID provider, for demos and tests only.</p>
  ${error === null ? '' : `<p class="error" role="alert">${escape(error)}</p>`}
  <label>Username <input name="username" value="${escape(username)}" required autofocus></label>
  <label>Password <input name="password" type="password" required></label>
  <button type="submit">Sign in</button>
</form>
</body>
</html>
`;
}

/** What the provider shows when a request cannot go on (e.g. a redirect it does not know): the OAuth error code only. */
export function errorPage(code: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign-in error — Branchline sandbox</title></head>
<body style="font: 16px system-ui, sans-serif; margin: 3rem">
<h1 style="font-size: 1.25rem">This sign-in cannot go on</h1>
<p>The sandbox's OpenID provider refused the request (${escape(code.slice(0, 60))}). Start again from Branchline.</p>
</body>
</html>
`;
}
