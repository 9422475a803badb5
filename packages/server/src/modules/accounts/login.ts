import type { FilterQuery } from '@mikro-orm/core';
import type { User } from './user.entity';

/**
 * A login as users type it, compared the way it is stored: trimmed and lower-cased (emails and usernames are
 * lower-case).
 */
export function normalizeLogin(login: string): string {
  return login.trim().toLowerCase();
}

/**
 * The one "username or email" rule: a login containing "@" names the account with that email, anything else
 * the account with that username (usernames cannot contain "@"). Used by logIn, the user arguments of member
 * and team mutations, and roster-admin.
 */
export function byLogin(login: string): FilterQuery<User> {
  const key = normalizeLogin(login);
  return key.includes('@') ? { email: key } : { username: key };
}
