import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ref } from '@mikro-orm/core';
import {
  instanceWithAdmin,
  addMember,
  gql,
  inviteByLink,
  ACCEPT,
  contextOn,
  settledOutcome,
  type InstanceWithAdmin,
} from './fixtures';
import { InvitationService } from '../src/modules/invitations/invitation.service';
import { MemberService } from '../src/modules/members/member.service';
import { Organization } from '../src/modules/organizations/organization.entity';
import { Membership } from '../src/modules/organizations/membership.entity';
import { User } from '../src/modules/accounts/user.entity';
import { MemberStatus, OrgRole } from '../src/authz/roles';
import type { Database } from '../src/db/orm';
import type { AppServices } from '../src/graphql/context';
import type { MikroORM } from '@mikro-orm/postgresql';

describe('invariants under concurrency', () => {
  let ctx: InstanceWithAdmin;
  let second: Database | undefined;
  beforeAll(async () => {
    ctx = await instanceWithAdmin();
  });
  afterAll(async () => {
    await second?.close();
    await ctx?.t.close();
  });

  it('lets exactly one of 20 concurrent accepts of one token win', async () => {
    const { token } = await inviteByLink(ctx.url, ctx.admin.token, 'acme', 'race@example.com');
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        gql(ctx.url, ACCEPT, { i: { token, username: `racer${n}`, name: `Racer ${n}`, password: 'racer-password' } }),
      ),
    );
    const winners = attempts.filter((a) => a.data?.acceptInvitation);
    expect(winners).toHaveLength(1);
    expect(attempts.filter((a) => !a.data?.acceptInvitation).map((a) => a.errors?.[0]?.extensions?.code)).toEqual(
      Array(19).fill('INVITE_INVALID'),
    );
    const users = await ctx.t.server.db.orm.em
      .fork()
      .getConnection()
      .execute("select count(*)::int as n from users where email = 'race@example.com'");
    expect(users[0]!.n).toBe(1);
  });

  it.skipIf(!process.env.DATABASE_URL)(
    'with K seats left, 50 concurrent invites through two connection pools succeed exactly K times',
    async () => {
      second = await ctx.t.openExtraDatabase();
      const em = ctx.t.server.db.orm.em.fork();
      const org = em.create(Organization, { name: 'seats', displayName: 'Seats', seatLimit: 8 });
      const admin = await em.findOneOrFail(User, { username: 'admin' });
      em.create(Membership, { organization: org, user: ref(admin), role: OrgRole.ADMIN, status: MemberStatus.ACTIVE });
      await em.flush();
      const K = 7; // limit 8, the admin holds one
      const app = { ...ctxApp(ctx), mail: { kick: () => undefined } } as unknown as AppServices;
      const pools = [ctx.t.server.db.orm, second.orm];
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, n) => {
          const orm = pools[n % 2]!;
          const c = contextOn(orm, app, admin);
          return new InvitationService(c).invite({
            organization: 'seats',
            email: `seat${n}@example.com`,
            sendEmail: false,
          });
        }),
      );
      const outcomes = results.map(settledOutcome);
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(K);
      expect(outcomes.filter((o) => o !== 'ok').every((o) => o === 'SEAT_LIMIT_REACHED')).toBe(true);
      const seats = await gql(
        ctx.url,
        '{ organization(name: "seats") { seats { limit used available } } }',
        {},
        ctx.admin.token,
      );
      expect(seats.data!.organization.seats).toEqual({ limit: 8, used: 8, available: 0 });
    },
  );

  it.skipIf(!process.env.DATABASE_URL)(
    'two admins demoting or removing each other at once, 50 times, never leave zero admins',
    async () => {
      second ??= await ctx.t.openExtraDatabase();
      const app = ctxApp(ctx);
      for (let round = 0; round < 50; round++) {
        const em = ctx.t.server.db.orm.em.fork();
        const org = em.create(Organization, { name: `duel-${round}`, displayName: `Duel ${round}` });
        const a = await addMember(ctx.t, null, `duel${round}a`);
        const b = await addMember(ctx.t, null, `duel${round}b`);
        em.create(Membership, {
          organization: org,
          user: ref(em.getReference(User, a.user.id)),
          role: OrgRole.ADMIN,
          status: MemberStatus.ACTIVE,
        });
        em.create(Membership, {
          organization: org,
          user: ref(em.getReference(User, b.user.id)),
          role: OrgRole.ADMIN,
          status: MemberStatus.ACTIVE,
        });
        await em.flush();
        const action = round % 3;
        const act = (orm: MikroORM, actor: User, target: User) => {
          const service = new MemberService(contextOn(orm, app, actor));
          const input = { organization: org.name, user: target.username };
          if (action === 0) return service.updateRole({ ...input, role: OrgRole.MEMBER });
          if (action === 1) return service.remove(input);
          return service.deactivate(input);
        };
        const results = await Promise.allSettled([
          act(ctx.t.server.db.orm, a.user, b.user),
          act(second.orm, b.user, a.user),
        ]);
        const outcomes = results.map(settledOutcome);
        // One wins; the other, serialised behind the organization lock, is refused: LAST_ADMIN, or (its own
        // admin role just taken) FORBIDDEN / NOT_FOUND.
        expect(
          outcomes.filter((o) => o === 'ok'),
          `round ${round}: ${outcomes.join(', ')}`,
        ).toHaveLength(1);
        expect(['LAST_ADMIN', 'FORBIDDEN', 'NOT_FOUND']).toContain(outcomes.find((o) => o !== 'ok'));
        const admins = await ctx.t.server.db.orm.em
          .fork()
          .getConnection()
          .execute(
            "select count(*)::int as n from org_memberships where organization_id = ? and role = 'ADMIN' and status " +
              "= 'ACTIVE'",
            [org.id],
          );
        expect(admins[0]!.n, `round ${round}`).toBe(1);
      }
    },
  );
});

function ctxApp(ctx: InstanceWithAdmin): AppServices {
  const s = ctx.t.server;
  return {
    config: s.config,
    logger: s.logger,
    activity: s.activity,
    mail: s.mail,
    apiKeyUsage: s.apiKeyUsage,
    instanceState: s.instanceState,
    ssoSettings: s.ssoSettings,
    settings: s.settings,
  } as AppServices;
}
