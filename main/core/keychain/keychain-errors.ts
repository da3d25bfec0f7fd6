// Turns what keytar (libsecret, macOS Keychain Services, Windows Credential Manager) throws into a KeyfobError a
// person can act on. keytar only gives us the native library's message text, so this matches on that text.
import { KeyfobError, redactText, type ErrorKind } from '../errors.js';

const SESSION_ONLY = 'or choose session-only storage (keys are kept in memory until Keyfob quits)';

interface Rule {
  test: RegExp;
  kind: Extract<ErrorKind, 'keychain-unavailable' | 'keychain-locked' | 'keychain-denied'>;
  message: string;
  hint: (platform: NodeJS.Platform) => string;
}

const START_SECRET_SERVICE = `Install and start gnome-keyring (or another Secret Service such as KWallet or KeePassXC), ${SESSION_ONLY}.`;

const RULES: readonly Rule[] = [
  {
    test: /Failed to load keytar native addon|libsecret-1\.so|cannot open shared object file/i,
    kind: 'keychain-unavailable',
    message: 'The keychain library could not be loaded (on Linux it needs libsecret).',
    hint: () => `Install libsecret (Debian/Ubuntu: apt install libsecret-1-0), ${SESSION_ONLY}.`,
  },
  {
    // With $DISPLAY set, GLib tries to start a bus through dbus-launch: where D-Bus is not installed, or cannot
    // start, that fails with its own messages. A malformed DBUS_SESSION_BUS_ADDRESS is no session either.
    test: /Cannot autolaunch D-Bus|Unable to autolaunch|autolaunch|dbus-launch|Could not connect:|Failed to connect to socket|DBUS_SESSION_BUS_ADDRESS|org\.freedesktop\.DBus\.Error\.(NoServer|FileNotFound|Disconnected)|Connection refused|Address element|Unknown address type|does not contain a colon/i,
    kind: 'keychain-unavailable',
    message: 'There is no D-Bus session, so Keyfob cannot reach the Secret Service (the desktop keychain).',
    hint: () => `Run Keyfob inside your desktop session, or start a D-Bus session with a Secret Service in it. ${START_SECRET_SERVICE}`,
  },
  {
    test: /org\.freedesktop\.secrets was not provided|ServiceUnknown|name .*secrets.* (has no owner|was not provided)/i,
    kind: 'keychain-unavailable',
    message: 'No Secret Service (org.freedesktop.secrets) is running: there is no keychain to store keys in.',
    hint: () => START_SECRET_SERVICE,
  },
  {
    test: /Object does not exist at path .*collection|No such object path .*collection|no default collection|No keychain is available|keychain could not be found/i,
    kind: 'keychain-unavailable',
    message: 'The keychain has no default collection (the "login" keyring) to store keys in.',
    hint: (platform) => platform === 'darwin'
      ? `Create or unlock your login keychain in Keychain Access, ${SESSION_ONLY}.`
      : `Unlock or create your login keyring (for example in "Passwords and Keys" / Seahorse), ${SESSION_ONLY}.`,
  },
  {
    test: /locked collection|collection is locked|locked object|is locked|User interaction is not allowed|dismiss|cancel+ed|canceled the operation/i,
    kind: 'keychain-locked',
    message: 'The keychain is locked (or its unlock prompt was dismissed).',
    hint: (platform) => platform === 'darwin'
      ? `Unlock your login keychain and try again, ${SESSION_ONLY}.`
      : `Unlock your login keyring (log in to the desktop, or unlock it in "Passwords and Keys") and try again, ${SESSION_ONLY}.`,
  },
  {
    test: /access (is )?denied|AccessDenied|permission denied|not permitted|authorization was denied|passphrase you entered is not correct|not authorized/i,
    kind: 'keychain-denied',
    message: 'The keychain refused Keyfob access.',
    hint: () => `Allow Keyfob when the keychain asks (or in its access settings) and try again, ${SESSION_ONLY}.`,
  },
  {
    test: /logon session does not exist/i,
    kind: 'keychain-unavailable',
    message: 'Windows Credential Manager is not available in this logon session.',
    hint: () => `Run Keyfob in your own interactive Windows session, ${SESSION_ONLY}.`,
  },
];

/** A KeyfobError (keychain-unavailable / keychain-locked / keychain-denied) for anything keytar threw. */
export function keychainError(error: unknown, platform: NodeJS.Platform = process.platform): KeyfobError {
  if (error instanceof KeyfobError) return error;
  const detail = redactText(error instanceof Error ? error.message : String(error)).slice(0, 300);
  const rule = RULES.find((r) => r.test.test(detail));
  if (rule) {
    return new KeyfobError(rule.kind, `${rule.message} (${detail})`, { hint: rule.hint(platform) });
  }
  return new KeyfobError('keychain-unavailable', `The keychain could not be used: ${detail}`, {
    hint: `Check that your system keychain works, ${SESSION_ONLY}.`,
  });
}
