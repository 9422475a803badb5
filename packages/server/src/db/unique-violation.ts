import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { conflict } from '../errors';

/** What a lost race on one unique constraint means to the caller: the input field it guards and what to say. */
export interface UniqueConstraintMeaning {
  field: string | null;
  message: string;
}

/**
 * Every unique constraint and unique index of the schema (names as in src/db/migrations), mapped explicitly to the
 * input field it guards. A name missing here is a programming error: the conflict is still reported, without a field.
 */
export const UNIQUE_CONSTRAINTS: Readonly<Record<string, UniqueConstraintMeaning>> = {
  users_email_unique: { field: 'email', message: 'An account with this email already exists.' },
  users_username_unique: { field: 'username', message: 'This username is taken; choose another.' },
  organizations_name_unique: { field: 'name', message: 'An organization with this name already exists.' },
  org_memberships_organization_id_user_id_unique: {
    field: null,
    message: 'This user is already a member of the organization.',
  },
  org_memberships_invitation_id_unique: { field: null, message: 'This invitation already has a membership.' },
  invitations_one_pending_per_email: {
    field: 'email',
    message: 'This email already has a pending invitation to the organization: resend it instead.',
  },
  // Random 256-bit tokens: a collision is not expected; retrying is the answer.
  invitations_token_hash_unique: { field: null, message: 'A generated token collided; please try again.' },
  sessions_token_hash_unique: { field: null, message: 'A generated token collided; please try again.' },
  api_keys_key_hash_unique: { field: null, message: 'A generated key collided; please try again.' },
  teams_organization_id_name_unique: { field: 'name', message: 'The organization already has a team with this name.' },
  team_memberships_team_id_user_id_unique: { field: 'user', message: 'This user is already in the team.' },
  projects_team_id_name_unique: { field: 'name', message: 'The team already has a project with this name.' },
  service_accounts_team_id_name_unique: {
    field: 'name',
    message: 'The team already has a service account with this name.',
  },
  custom_roles_organization_id_name_unique: {
    field: 'name',
    message: 'The organization already has a custom role with this name.',
  },
  // SSO sign-in (issue 12): two first sign-ins of the same identity at once; the second is told to retry.
  sso_identities_provider_subject_unique: {
    field: null,
    message: 'This identity was just linked by another sign-in; sign in again.',
  },
  oidc_sign_in_states_state_hash_unique: { field: null, message: 'A generated state collided; please try again.' },
  // SCIM provisioning (docs/SCIM.md).
  scim_tokens_token_hash_unique: { field: null, message: 'A generated token collided; please try again.' },
  scim_users_external_id_unique: {
    field: 'externalId',
    message: 'Another user of the organization already has this externalId.',
  },
  scim_users_user_name_unique: {
    field: 'userName',
    message: 'Another user of the organization has this userName (compared case-insensitively).',
  },
  scim_groups_external_id_unique: {
    field: 'externalId',
    message: 'Another group of the organization already has this externalId.',
  },
};

/** The violated constraint's name: PostgreSQL reports it on the error (`constraint`), and in its standard message. */
export function violatedConstraint(err: UniqueConstraintViolationException): string | null {
  const named = (err as unknown as { constraint?: unknown }).constraint;
  if (typeof named === 'string' && named) return named;
  return /unique constraint "([^"]+)"/.exec(err.message)?.[1] ?? null;
}

/**
 * For `.catch()` after a transaction: a unique constraint lost a race the service's pre-check could not see
 * (a concurrent request committed first). Becomes CONFLICT naming the field the constraint guards; anything else is
 * rethrown.
 */
export function rethrowUniqueAsConflict(err: unknown): never {
  if (err instanceof UniqueConstraintViolationException) {
    const name = violatedConstraint(err);
    const meaning = name ? UNIQUE_CONSTRAINTS[name] : undefined;
    throw conflict(meaning?.message ?? 'That value is already taken.', meaning?.field ?? undefined);
  }
  throw err;
}
