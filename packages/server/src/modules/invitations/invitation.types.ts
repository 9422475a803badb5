import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars';
import { ErrorCode, OrgRole } from '../../graphql/enums';
import { ConnectionType } from '../../graphql/connection';
import { OrganizationType } from '../organizations/organization.types';
import { UserType } from '../accounts/account.types';
import { InvitationStatus } from './invitation.entity';
import { EmailStatus } from '../mail/outbox-email.entity';
import { TeamAssignmentInput, TeamAssignmentType } from '../teams/team.types';
import { MaxItems } from '../../graphql/input-hygiene';
import { MAX_BULK_INVITES } from './invitation.service';

registerEnumType(InvitationStatus, {
  name: 'InvitationStatus',
  description: 'State of an invitation.',
  valuesConfig: {
    PENDING: { description: 'Waiting to be accepted (see `expired`).' },
    ACCEPTED: { description: 'Accepted: the invitee is a member.' },
    REVOKED: { description: 'Cancelled by an admin.' },
  },
});

registerEnumType(EmailStatus, {
  name: 'EmailDeliveryStatus',
  description: 'Delivery state of an email in the outbox.',
  valuesConfig: {
    QUEUED: { description: 'Waiting for its first attempt or a retry (see lastError).' },
    SENDING: { description: 'Being handed to the SMTP server.' },
    SENT: { description: 'Accepted by the SMTP server.' },
    FAILED: { description: 'Gave up after the last retry; resend the invitation to try again.' },
    LOGGED: { description: 'No SMTP is configured: the link was written to the server log.' },
  },
});

@ObjectType('EmailDelivery', { description: 'Delivery of the latest invitation email.' })
export class EmailDeliveryType {
  @Field(() => EmailStatus, { description: 'QUEUED, SENDING, SENT, FAILED or LOGGED.' })
  status!: EmailStatus;

  @Field(() => Int, { description: 'Delivery attempts so far.' })
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'Error of the last failed attempt.' })
  lastError!: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When the next attempt is due (QUEUED).' })
  nextAttemptAt!: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'When the SMTP server accepted it.' })
  sentAt!: Date | null;
}

@ObjectType('Invitation', { description: 'An invitation to join an organization.' })
export class InvitationType {
  @Field(() => ID, { description: 'Opaque id (use with updateInvitation, resendInvitation and revokeInvitation).' })
  id!: string;

  @Field(() => String, { description: 'The invited address; only it can accept.' })
  email!: string;

  @Field(() => OrgRole, { description: 'Role on acceptance.' })
  role!: OrgRole;

  @Field(() => InvitationStatus, { description: 'PENDING, ACCEPTED or REVOKED.' })
  status!: InvitationStatus;

  @Field(() => DateTime, { description: 'When the current token stops working.' })
  expiresAt!: Date;

  @Field(() => DateTime, { description: 'When the invitation was made.' })
  createdAt!: Date;

  @Field(() => String, { nullable: true, description: 'Username of who invited.' })
  invitedBy!: string | null;

  @Field(() => [TeamAssignmentType], { description: 'Teams the invitee joins on acceptance.' })
  teams!: TeamAssignmentType[];
}

export const InvitationConnection = ConnectionType(
  'Invitation',
  InvitationType,
  'A page of invitations, newest first.',
);

@InputType('InviteUserInput', { description: 'Invite one person by email.' })
export class InviteUserInput {
  @Field(() => String, { description: 'Organization name (slug).' })
  organization!: string;

  @Field(() => String, { description: 'Email address to invite.' })
  email!: string;

  @Field(() => OrgRole, { nullable: true, description: 'Role on acceptance; MEMBER by default.' })
  role?: OrgRole | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Send the invitation email (default true). false: no email; the payload carries the accept link once.',
  })
  sendEmail?: boolean | null;

  @Field(() => [TeamAssignmentInput], {
    nullable: true,
    description: 'Teams to join on acceptance (organization viewers: VIEW_ONLY only).',
  })
  teams?: TeamAssignmentInput[] | null;
}

@ObjectType({ description: 'Result of inviteUser.' })
export class InviteUserPayload {
  @Field(() => InvitationType, { description: 'The invitation.' })
  invitation!: InvitationType;

  @Field(() => String, { nullable: true, description: 'The accept link, only when sendEmail was false. Shown once.' })
  acceptUrl!: string | null;
}

@InputType('InviteUsersRowInput', { description: 'One invitation of inviteUsers.' })
export class InviteUsersRowInput {
  @Field(() => String, { description: 'Email address to invite.' })
  email!: string;

  @Field(() => OrgRole, { nullable: true, description: 'Role on acceptance; MEMBER by default.' })
  role?: OrgRole | null;

  @Field(() => [TeamAssignmentInput], { nullable: true, description: 'Teams to join on acceptance.' })
  teams?: TeamAssignmentInput[] | null;
}

@InputType('InviteUsersInput', { description: 'Invite many people; each row succeeds or fails on its own.' })
export class InviteUsersInput {
  @Field(() => String, { description: 'Organization name (slug).' })
  organization!: string;

  @Field(() => [InviteUsersRowInput], {
    description: `The invitations to make, at most ${MAX_BULK_INVITES.toLocaleString('en-US')} rows.`,
  })
  @MaxItems(MAX_BULK_INVITES)
  invitations!: InviteUsersRowInput[];

  @Field(() => Boolean, {
    nullable: true,
    description: 'Send invitation emails (default true). false: each successful row carries its accept link once.',
  })
  sendEmail?: boolean | null;
}

@ObjectType('UserError', { description: 'Why one row of a bulk operation failed.' })
export class UserErrorType {
  @Field(() => ErrorCode, { description: 'Same codes as extensions.code.' })
  code!: ErrorCode;

  @Field(() => String, { description: 'What went wrong and what to do.' })
  message!: string;

  @Field(() => String, { nullable: true, description: 'The offending field of the row, if any.' })
  field!: string | null;
}

@ObjectType('InviteUsersResult', { description: 'Outcome of one bulk-invite row, in input order.' })
export class InviteUsersResultType {
  @Field(() => Int, { description: 'Position of the row in the input (0-based).' })
  index!: number;

  @Field(() => String, { description: 'The email of the row, as given.' })
  email!: string;

  @Field(() => InvitationType, { nullable: true, description: 'The invitation, when the row succeeded.' })
  invitation!: InvitationType | null;

  @Field(() => String, { nullable: true, description: 'The accept link, when sendEmail was false.' })
  acceptUrl!: string | null;

  @Field(() => UserErrorType, { nullable: true, description: 'Why the row failed.' })
  error!: UserErrorType | null;
}

@ObjectType({ description: 'Result of inviteUsers.' })
export class InviteUsersPayload {
  @Field(() => [InviteUsersResultType], { description: 'One result per input row, in order.' })
  results!: InviteUsersResultType[];

  @Field(() => Int, { description: 'Rows that were invited.' })
  succeeded!: number;

  @Field(() => Int, { description: 'Rows that failed.' })
  failed!: number;
}

@InputType('ResendInvitationInput', { description: 'Issue a new token and expiry for a pending invitation.' })
export class ResendInvitationInput {
  @Field(() => ID, { description: 'Invitation id.' })
  id!: string;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Send the email (default true); false returns the new link once.',
  })
  sendEmail?: boolean | null;
}

@ObjectType({ description: 'Result of resendInvitation.' })
export class ResendInvitationPayload {
  @Field(() => InvitationType, { description: 'The invitation, with its new expiry.' })
  invitation!: InvitationType;

  @Field(() => String, { nullable: true, description: 'The new accept link, only when sendEmail was false.' })
  acceptUrl!: string | null;
}

@InputType('RevokeInvitationInput', { description: 'Cancel a pending invitation.' })
export class RevokeInvitationInput {
  @Field(() => ID, { description: 'Invitation id.' })
  id!: string;
}

@ObjectType({ description: 'Result of revokeInvitation.' })
export class RevokeInvitationPayload {
  @Field(() => InvitationType, { description: 'The invitation, now REVOKED.' })
  invitation!: InvitationType;

  @Field(() => Boolean, {
    description: 'false when the invitation was already revoked: nothing changed and nothing was audited.',
  })
  changed!: boolean;
}

@InputType('UpdateInvitationInput', {
  description: 'Change the role or the teams of a pending invitation. Omitted fields stay as they are.',
})
export class UpdateInvitationInput {
  @Field(() => ID, { description: 'Invitation id.' })
  id!: string;

  @Field(() => OrgRole, {
    nullable: true,
    description:
      'The new role on acceptance; omit to keep it (null is refused). SEAT_LIMIT_REACHED when a VIEWER invitation ' +
      'becomes ADMIN or MEMBER without a free seat.',
  })
  role?: OrgRole | null;

  @Field(() => [TeamAssignmentInput], {
    nullable: true,
    description:
      'The teams to join on acceptance, replacing the current ones; [] or null clears them; omit to keep them. ' +
      'Validated as when inviting (organization viewers: VIEW_ONLY only).',
  })
  teams?: TeamAssignmentInput[] | null;
}

@ObjectType({ description: 'Result of updateInvitation.' })
export class UpdateInvitationPayload {
  @Field(() => InvitationType, { description: 'The invitation, with its role and teams.' })
  invitation!: InvitationType;

  @Field(() => Boolean, {
    description:
      'false when the invitation already had this role and these teams: nothing changed and nothing was audited.',
  })
  changed!: boolean;
}

@InputType('AcceptInvitationInput', {
  description:
    'Accept an invitation. New users give username, name and password; existing users are logged in or give their ' +
    'password.',
})
export class AcceptInvitationInput {
  @Field(() => String, { description: 'The token from the invitation link.' })
  token!: string;

  @Field(() => String, { nullable: true, description: 'New users: a username.' })
  username?: string | null;

  @Field(() => String, { nullable: true, description: 'New users: a display name.' })
  name?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'New users: a password. Existing users who are not logged in: their password.',
  })
  password?: string | null;
}

@ObjectType({ description: 'Result of acceptInvitation.' })
export class AcceptInvitationPayload {
  @Field(() => UserType, { description: 'The member.' })
  user!: UserType;

  @Field(() => OrganizationType, { description: 'The organization joined.' })
  organization!: OrganizationType;

  @Field(() => String, {
    nullable: true,
    description: 'A new session token when the caller was not logged in (also set as a cookie).',
  })
  token!: string | null;

  @Field(() => DateTime, { nullable: true, description: 'When that session expires.' })
  expiresAt!: Date | null;
}

@ObjectType('InvitationPreview', {
  description: 'What an invitation link leads to, for the accept page. Anyone holding the token may see it.',
})
export class InvitationPreviewType {
  @Field(() => String, { description: 'The invited address.' })
  email!: string;

  @Field(() => String, { description: 'Organization name (slug).' })
  organizationName!: string;

  @Field(() => String, { description: 'Organization display name.' })
  organizationDisplayName!: string;

  @Field(() => OrgRole, { description: 'Role on acceptance.' })
  role!: OrgRole;

  @Field(() => String, { nullable: true, description: 'Who invited.' })
  invitedBy!: string | null;

  @Field(() => DateTime, { description: 'When the token expires.' })
  expiresAt!: Date;

  @Field(() => Boolean, {
    description: 'Whether an account with this email exists (then accept by logging in or giving its password).',
  })
  accountExists!: boolean;
}
