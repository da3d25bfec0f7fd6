// roles/: what a role is and what it allows — validation of every field, duration parsing and formatting, and
// the seed's TTL resolution against the person's default and max lease TTL.
export * from './roles.js';
export * from './ttl.js';
export * from './durations.js';
