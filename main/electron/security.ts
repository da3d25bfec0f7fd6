// The window's security baseline (Electron's security checklist): a sandboxed, context-isolated renderer without
// Node, under a strict CSP, that cannot navigate, open windows, attach webviews or obtain any permission. The
// renderer needs no network at all (the main process talks to LiteLLM), hence `connect-src 'none'`.
import type { App, Session, WebContents } from 'electron';

/** Also in renderer/index.html as a meta tag: file:// responses carry no headers, so the tag is what applies there. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Every response the session loads gets the CSP header; every permission request or check is refused. */
export function hardenSession(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/** No navigation away from the app's page, no new windows, no webviews — for every webContents ever created. */
export function hardenWebContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Installs both on the app; call before the first window exists. */
export function installSecurityBaseline(app: App, session: Session): () => void {
  hardenSession(session);
  const onCreated = (_event: unknown, contents: WebContents): void => hardenWebContents(contents);
  app.on('web-contents-created', onCreated);
  return () => {
    app.removeListener('web-contents-created', onCreated);
  };
}
