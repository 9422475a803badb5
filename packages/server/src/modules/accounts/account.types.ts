import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { AuthMethodEnum, PrincipalKind } from '../../graphql/enums';
import { OrganizationType } from '../organizations/organization.types';

@ObjectType('User', { description: 'A person.' })
export class UserType {
  @Field(() => ID, { description: 'Opaque id.' })
  id!: string;

  @Field(() => String, { description: 'Unique handle: lower-case letters, digits, "_" and "-".' })
  username!: string;

  @Field(() => String, { description: 'Display name.' })
  name!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Email address (lower-cased). Visible to the user themselves and to instance admins; null for everyone else, ' +
      "organization admins included (they see members' emails in the members view: `OrganizationMember.email`, " +
      '`member:read_email`).',
  })
  email!: string | null;

  @Field(() => Boolean, { description: 'Whether the user administers the whole instance.' })
  instanceAdmin!: boolean;

  @Field(() => DateTime, { description: 'When the account was created.' })
  createdAt!: Date;

  @Field(() => DateTime, {
    nullable: true,
    description:
      'Last authenticated request, to within a few minutes. Null unless the caller is the user, an instance admin, ' +
      'or sees one of their memberships.',
  })
  lastActiveAt!: Date | null;
}

@ObjectType('Viewer', { description: 'The calling principal.' })
export class ViewerType {
  @Field(() => PrincipalKind, {
    description: 'USER (a session or a personal API key) or SERVICE_ACCOUNT (one of its keys).',
  })
  kind!: PrincipalKind;

  @Field(() => AuthMethodEnum, { description: 'How this request authenticated.' })
  authenticatedWith!: AuthMethodEnum;

  @Field(() => UserType, {
    nullable: true,
    description: 'The user who made the request (set when kind is USER).',
  })
  user!: UserType | null;
}

@InputType({
  description:
    'A new account. On a fresh instance the first sign-up becomes instance admin; afterwards an invitation token is ' +
    'needed.',
})
export class SignUpInput {
  @Field(() => String, { description: 'Email address; unique, case-insensitive.' })
  email!: string;

  @Field(() => String, { description: 'Unique handle: 2 to 40 lower-case letters, digits, "_" or "-".' })
  username!: string;

  @Field(() => String, { description: 'Display name, 1 to 100 characters.' })
  name!: string;

  @Field(() => String, { description: 'Password, 8 to 256 characters.' })
  password!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Invitation token from the invite link; required once the instance is set up.',
  })
  invitationToken?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Bootstrap only: the slug of the first organization (default "default").',
  })
  organizationName?: string | null;
}

@ObjectType({ description: 'Result of signUp.' })
export class SignUpPayload {
  @Field(() => UserType, { description: 'The new user.' })
  user!: UserType;

  @Field(() => String, {
    description: 'Session token: send as "Authorization: Bearer <token>". Also set as an httpOnly cookie.',
  })
  token!: string;

  @Field(() => DateTime, { description: 'When the session expires.' })
  expiresAt!: Date;

  @Field(() => OrganizationType, {
    nullable: true,
    description: 'The organization the user joined (created, on a fresh instance).',
  })
  organization!: OrganizationType | null;
}

@InputType({ description: 'Credentials.' })
export class LogInInput {
  @Field(() => String, { description: 'Email or username.' })
  login!: string;

  @Field(() => String, { description: 'Password.' })
  password!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'An LDAP provider (a `name` from `ssoProviders`) to check the password against. Omitted: the local password ' +
      'first (when password sign-in is on and the account has one), then every LDAP provider in the configured ' +
      'order (docs/SSO.md). OIDC providers sign in through `beginOidcSignIn` or `/auth/oidc/login`, not here.',
  })
  provider?: string | null;
}

@ObjectType({ description: 'Result of logIn.' })
export class LogInPayload {
  @Field(() => UserType, { description: 'The user.' })
  user!: UserType;

  @Field(() => String, {
    description: 'Session token: send as "Authorization: Bearer <token>". Also set as an httpOnly cookie.',
  })
  token!: string;

  @Field(() => DateTime, { description: 'When the session expires.' })
  expiresAt!: Date;
}

@ObjectType({ description: 'Result of logOut.' })
export class LogOutPayload {
  @Field(() => ID, { description: 'Id of the session that ended.' })
  sessionId!: string;
}

@InputType({ description: 'Input of revokeSessions.' })
export class RevokeSessionsInput {
  @Field(() => String, {
    nullable: true,
    description: 'Whose sessions (username or email); yourself when omitted. Others’ need an instance admin.',
  })
  user?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Keep the session making this request (when revoking your own). Default false: sign out everywhere.',
  })
  keepCurrent?: boolean | null;
}

@ObjectType({ description: 'Result of revokeSessions.' })
export class RevokeSessionsPayload {
  @Field(() => UserType, { description: 'Whose sessions ended.' })
  user!: UserType;

  @Field(() => Int, { description: 'How many active sessions ended.' })
  revokedCount!: number;
}
