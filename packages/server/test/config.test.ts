import { describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../src/config';

describe('configuration', () => {
  it('has working defaults: embedded database under the working directory', () => {
    const c = loadConfig({}, '/srv/roster');
    expect(c).toMatchObject({
      databaseUrl: undefined,
      dataDir: '/srv/roster/.roster-data',
      port: 4000,
      invitationTtlDays: 7,
      ssoProvisioning: true,
      publicUrl: 'http://localhost:4000',
    });
  });

  it('reports every invalid variable at once with what to fix', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        INVITE_TTL_DAYS: '0',
        DISABLE_SSO_PROVISIONING: 'maybe',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'DATABASE_URL', 'INVITE_TTL_DAYS', 'DISABLE_SSO_PROVISIONING'])
      expect(message).toContain(name);
    expect(message).toContain('postgres://');
  });

  it("leases a claimed email for 30 s by default, so a dead sender's email is retried within a minute", () => {
    expect(loadConfig({})).toMatchObject({ emailLeaseSeconds: 30, emailPollSeconds: 5 });
    expect(loadConfig({ EMAIL_LEASE_SECONDS: '3' }).emailLeaseSeconds).toBe(3);
    for (const bad of ['2', '601', '1.5', 'soon'])
      expect(() => loadConfig({ EMAIL_LEASE_SECONDS: bad }), bad).toThrow(/EMAIL_LEASE_SECONDS/);
  });

  it('needs SMTP_FROM with SMTP_URL', () => {
    expect(() => loadConfig({ SMTP_URL: 'smtp://mail:25' })).toThrow(/SMTP_FROM/);
    expect(
      loadConfig({ SMTP_URL: 'smtp://mail:25', SMTP_FROM: 'Roster <r@example.com>', DISABLE_SSO_PROVISIONING: 'true' }),
    ).toMatchObject({ smtpUrl: 'smtp://mail:25', ssoProvisioning: false });
  });
});
