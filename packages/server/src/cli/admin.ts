#!/usr/bin/env node
/**
 * Recovery on the server host, for when nobody can log in. Talks to the database directly (same
 * DATABASE_URL / DATA_DIR as the server; stop the server first when it uses the embedded database,
 * which allows one process at a time).
 *
 *   roster-admin create-admin --email E --username U [--name N]   create an instance admin
 *   roster-admin promote --login L                                 make an existing user instance admin
 *   roster-admin reset-password --login L [--revoke-api-keys]      set a new password, end their sessions,
 *                                                                  clear their sign-in lockout; with the flag
 *                                                                  also revoke their API keys
 *
 *   roster-admin enable-password-sign-in                           turn password sign-in back on (an SSO-only
 *                                                                  instance whose SSO broke); running servers
 *                                                                  apply it within SETTINGS_REFRESH_MS
 *   roster-admin reencrypt-secrets                                 re-encrypt every stored secret under the
 *                                                                  current SECRETS_KEY (after a key rotation)
 *
 * The password comes from ROSTER_ADMIN_PASSWORD, or is generated and printed once.
 *
 * API keys survive a reset by default: a forgotten password says nothing about the keys, and revoking them
 * would break the user's automation (CI jobs, scripts) on every routine reset. When the account may be
 * compromised, pass --revoke-api-keys: a stolen key keeps working until revoked. The command says how many
 * active keys remain, so the choice is never silent.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { openDatabase } from '../db/orm';
import { byLogin, normalizeLogin } from '../modules/accounts/login';
import { User } from '../modules/accounts/user.entity';
import { Session } from '../auth/session.entity';
import { ApiKey } from '../modules/api-keys/api-key.entity';
import { SignInThrottle } from '../auth/sign-in-throttle';
import { hashPassword } from '../auth/passwords';
import { recordAudit, AuditAction } from '../modules/audit/audit.service';
import { ANONYMOUS } from '../auth/principal';
import { emailSchema, parseInput, passwordSchema, personNameSchema, usernameSchema } from '../validation';
import { AppError } from '../errors';
import { InstanceSettingsStore } from '../modules/settings/instance-settings-store';
import { SecretBox, keyringFromConfig } from '../crypto/secret-box';

const USAGE = `usage:
  roster-admin create-admin --email EMAIL --username USERNAME [--name NAME]
  roster-admin promote --login EMAIL_OR_USERNAME
  roster-admin reset-password --login EMAIL_OR_USERNAME [--revoke-api-keys]
  roster-admin enable-password-sign-in
  roster-admin reencrypt-secrets
reset-password ends the user's sessions and clears their sign-in lockout; their API keys keep working
unless --revoke-api-keys is given (use it when the account may be compromised).
The password is read from ROSTER_ADMIN_PASSWORD, or generated and printed once.`;

const SYSTEM_ACTOR = { type: 'system', id: null, label: 'roster-admin' };

function newPassword(): { password: string; generated: boolean } {
  const fromEnv = process.env.ROSTER_ADMIN_PASSWORD;
  if (fromEnv)
    return {
      password: parseInput(z.object({ password: passwordSchema }), { password: fromEnv }).password,
      generated: false,
    };
  return { password: randomBytes(18).toString('base64url'), generated: true };
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      username: { type: 'string' },
      name: { type: 'string' },
      login: { type: 'string' },
      'revoke-api-keys': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  const command = positionals[0];
  const commands = ['create-admin', 'promote', 'reset-password', 'enable-password-sign-in', 'reencrypt-secrets'];
  if (values.help || !command || !commands.includes(command)) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 64;
  }
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const db = await openDatabase(config, logger);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const em = db.orm.em.fork();
    const source = { principal: ANONYMOUS, clientAddress: 'localhost (roster-admin)' };
    if (command === 'enable-password-sign-in') {
      const changed = await em.transactional(async (tx) => {
        const stored = await InstanceSettingsStore.read(tx, true);
        if (stored.overrides.passwordSignIn === true) return false;
        stored.overrides.passwordSignIn = true;
        await InstanceSettingsStore.write(tx, stored, null);
        recordAudit(tx, source, {
          action: AuditAction.INSTANCE_SETTINGS_UPDATED,
          actor: SYSTEM_ACTOR,
          target: { type: 'instance_settings', id: 'instance', label: 'instance settings' },
          metadata: { changed: ['passwordSignIn'], reset: [] },
        });
        return true;
      });
      say(
        changed
          ? 'Password sign-in is on (stored setting); running servers apply it within SETTINGS_REFRESH_MS.'
          : 'Password sign-in was already on.',
      );
      return 0;
    }
    if (command === 'reencrypt-secrets') {
      const box = new SecretBox(
        keyringFromConfig({ ...config.settings, databaseUrl: config.databaseUrl, dataDir: config.dataDir }),
      );
      if (!box.canEncrypt) throw new Error('SECRETS_KEY is not set: set the new key (and SECRETS_KEY_PREVIOUS) first.');
      const { total, rewritten } = await em.transactional(async (tx) => {
        const stored = await InstanceSettingsStore.read(tx, true);
        const names = Object.keys(stored.secrets);
        // Every value is decrypted before anything is written: one unreadable secret changes nothing.
        const plain = names.map((name) => [name, box.decrypt(stored.secrets[name]!, name)] as const);
        const stale = names.filter((name) => box.isStale(stored.secrets[name]!));
        for (const [name, value] of plain) stored.secrets[name] = box.encrypt(value, name);
        if (names.length) {
          await InstanceSettingsStore.write(tx, stored, null);
          recordAudit(tx, source, {
            action: AuditAction.SECRETS_REENCRYPTED,
            actor: SYSTEM_ACTOR,
            target: { type: 'instance_settings', id: 'instance', label: 'instance settings' },
            metadata: { secrets: names.length, underOlderKeys: stale.length, keyId: box.currentKeyId },
          });
        }
        return { total: names.length, rewritten: stale.length };
      });
      say(
        `${total} stored secret(s) re-encrypted under key id ${box.currentKeyId} (${rewritten} were under an older ` +
          'key). SECRETS_KEY_PREVIOUS can be removed once every server runs with the new SECRETS_KEY.',
      );
      return 0;
    }
    if (command === 'create-admin') {
      const input = parseInput(z.object({ email: emailSchema, username: usernameSchema, name: personNameSchema }), {
        email: values.email,
        username: values.username,
        name: values.name ?? values.username,
      });
      const { password, generated } = newPassword();
      const passwordHash = await hashPassword(password);
      await em.transactional(async (tx) => {
        if (await tx.count(User, { $or: [{ email: input.email }, { username: input.username }] })) {
          throw new Error('A user with this email or username exists: use "promote" or "reset-password" instead.');
        }
        const user = tx.create(User, { ...input, passwordHash, instanceAdmin: true });
        recordAudit(tx, source, {
          action: AuditAction.USER_CREATED_BY_CLI,
          actor: SYSTEM_ACTOR,
          target: { type: 'user', id: user.id, label: user.username },
          metadata: { instanceAdmin: true },
        });
      });
      say(`Created instance admin ${input.username} <${input.email}>.`);
      if (generated) say(`Password (shown once): ${password}`);
      return 0;
    }
    const login = normalizeLogin(values.login ?? '');
    if (!login) throw new Error('--login is required');
    const user = await em.findOne(User, byLogin(login));
    if (!user) throw new Error(`No user with email or username "${login}".`);
    if (command === 'promote') {
      await em.transactional(async (tx) => {
        await tx.nativeUpdate(User, { id: user.id }, { instanceAdmin: true });
        recordAudit(tx, source, {
          action: AuditAction.INSTANCE_ADMIN_GRANTED,
          actor: SYSTEM_ACTOR,
          target: { type: 'user', id: user.id, label: user.username },
        });
      });
      say(`${user.username} is now an instance admin.`);
      return 0;
    }
    const revokeApiKeys = values['revoke-api-keys'] === true;
    const { password, generated } = newPassword();
    const passwordHash = await hashPassword(password);
    const now = new Date();
    const { revokedKeys, activeKeys } = await em.transactional(async (tx) => {
      await tx.nativeUpdate(User, { id: user.id }, { passwordHash });
      await tx.nativeUpdate(Session, { user: user.id, revokedAt: null }, { revokedAt: now });
      const keys = await tx.find(ApiKey, {
        user: user.id,
        revokedAt: null,
        $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }],
      });
      if (revokeApiKeys) {
        for (const key of keys) {
          key.revokedAt = now;
          recordAudit(tx, source, {
            action: AuditAction.API_KEY_REVOKED,
            actor: SYSTEM_ACTOR,
            target: { type: 'api_key', id: key.id, label: key.name },
            metadata: { lastFour: key.lastFour, ownerId: user.id, reason: 'password_reset' },
          });
        }
      }
      recordAudit(tx, source, {
        action: AuditAction.PASSWORD_RESET,
        actor: SYSTEM_ACTOR,
        target: { type: 'user', id: user.id, label: user.username },
        metadata: { apiKeysRevoked: revokeApiKeys ? keys.length : 0, apiKeysKept: revokeApiKeys ? 0 : keys.length },
      });
      return { revokedKeys: revokeApiKeys ? keys.length : 0, activeKeys: revokeApiKeys ? 0 : keys.length };
    });
    // A lockout from failed sign-ins would otherwise keep refusing the new password.
    const throttle = await SignInThrottle.create(db.orm.em.getConnection().getKnex(), config.signInThrottle, logger);
    try {
      await Promise.all([throttle.unlock(user.username), throttle.unlock(user.email)]);
    } finally {
      throttle.stop();
    }
    say(`Password of ${user.username} reset; their sessions were ended.`);
    if (revokeApiKeys) say(`${revokedKeys} API key(s) revoked.`);
    else if (activeKeys > 0)
      say(`${activeKeys} API key(s) still work; run again with --revoke-api-keys if the account may be compromised.`);
    if (generated) say(`New password (shown once): ${password}`);
    return 0;
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      process.stderr.write(
        `roster-admin: ${err instanceof AppError || err instanceof Error ? err.message : String(err)}\n`,
      );
      process.exit(1);
    });
}

export { main as runAdminCli };
