import * as RadixMenu from '@radix-ui/react-dropdown-menu';
import { useClient } from '../../lib/client';
import { useInvalidateOrg, usePermissions, useViewer } from '../../lib/queries';
import { roleLabel } from '../../lib/format';
import { useFeedback } from '../../components/feedback';
import { useConfirm } from '../../components/confirm';
import { Button, Menu, MenuContent, MenuItem, MenuLabel, MenuTrigger } from '../../components/ui';
import { memberKey, memberLabel, ORG_ROLES, SEAT_ROLES, type Member } from './types';

const NO_MANAGE = 'Your role in this organization cannot change members';
const NO_INVITE = 'Your role in this organization cannot manage invitations';

/** The Role column: the role, and a pencil that changes it in place (invitations: the role on acceptance). */
export function RoleCell({
  org,
  member,
  seatsAvailable,
}: {
  org: string;
  member: Member;
  seatsAvailable: number | null;
}) {
  const client = useClient();
  const { can } = usePermissions(org);
  const invalidate = useInvalidateOrg();
  const feedback = useFeedback();
  const pending = member.status === 'PENDING';
  const allowed = pending ? can('MEMBER_INVITE') : can('MEMBER_MANAGE');
  const label = memberLabel(member);
  const change = async (role: string) => {
    if (role === member.role) return;
    try {
      if (pending && member.invitation) {
        await client.updateInvitation({ id: member.invitation.id, role: role as Member['role'] });
      } else {
        await client.updateMemberRole({ organization: org, user: memberKey(member), role: role as Member['role'] });
      }
      feedback.done(`${label} is now ${roleLabel(role)}.`);
    } catch (e) {
      feedback.fail(`Could not change the role of ${label}`, e);
    }
    await invalidate(org);
  };
  // A seat-using role for someone who holds none needs a free seat.
  const needsSeat = (role: string) => SEAT_ROLES.has(role) && !SEAT_ROLES.has(member.role) && seatsAvailable === 0;
  return (
    <span className="role-cell">
      <span data-testid="role">
        {member.status === 'DEACTIVATED' ? (
          <>
            Deactivated <span className="hint">({roleLabel(member.role)})</span>
          </>
        ) : (
          roleLabel(member.role)
        )}
      </span>
      {allowed ? (
        <Menu>
          <MenuTrigger asChild>
            <Button
              variant="ghost"
              size="icon"
              className="pencil"
              aria-label={`Change role of ${label}`}
              title="Change role"
            >
              <span aria-hidden="true">✎</span>
            </Button>
          </MenuTrigger>
          <MenuContent align="start">
            <MenuLabel>Role of {label}</MenuLabel>
            <RadixMenu.RadioGroup value={member.role} onValueChange={(v) => void change(v)}>
              {ORG_ROLES.map((r) => (
                <RadixMenu.RadioItem key={r} value={r} className="menu-item" disabled={needsSeat(r)}>
                  <span aria-hidden="true" style={{ width: '1em' }}>
                    {r === member.role ? '✓' : ''}
                  </span>
                  {roleLabel(r)}
                  {needsSeat(r) ? <span className="hint">— no seat left</span> : null}
                </RadixMenu.RadioItem>
              ))}
            </RadixMenu.RadioGroup>
          </MenuContent>
        </Menu>
      ) : (
        <Button
          variant="ghost"
          size="icon"
          className="pencil"
          disabled
          disabledReason={pending ? NO_INVITE : NO_MANAGE}
          aria-label={`Change role of ${label}`}
        >
          <span aria-hidden="true">✎</span>
        </Button>
      )}
    </span>
  );
}

/** The meatball menu of a row: remove, deactivate / reactivate; for invitations, resend / revoke. */
export function MemberActions({ org, member }: { org: string; member: Member }) {
  const client = useClient();
  const { can } = usePermissions(org);
  const viewer = useViewer();
  const invalidate = useInvalidateOrg();
  const feedback = useFeedback();
  const confirm = useConfirm();
  const label = memberLabel(member);
  const key = memberKey(member);
  const isSelf = member.user?.id !== undefined && member.user.id === viewer.data?.user?.id;
  const pending = member.status === 'PENDING';
  const mayManage = can('MEMBER_MANAGE');
  const mayInvite = can('MEMBER_INVITE');
  const run = async (what: string, fn: () => Promise<unknown>, success: string) => {
    try {
      await fn();
      feedback.done(success);
    } catch (e) {
      feedback.fail(`Could not ${what}`, e);
    }
    await invalidate(org);
  };
  const askRemove = () =>
    confirm({
      title: `Remove ${label} from ${org}?`,
      description: (
        <>
          <p>
            {label} loses access to the organization and its teams at once, and frees their seat.{' '}
            <strong>Runs and reports they created stay</strong>, still credited to them.
          </p>
          <p>To give access back later, invite them again.</p>
        </>
      ),
      confirmLabel: 'Remove user',
      danger: true,
      onConfirm: async () => {
        await client.removeMember({ organization: org, user: key });
        feedback.done(`${label} was removed from ${org}.`);
        await invalidate(org);
      },
    });
  const askDeactivate = () =>
    confirm({
      title: `Deactivate ${label}?`,
      description: (
        <p>
          {label} can no longer sign in to {org} or use its API keys here. Their memberships, runs and reports are kept,
          and you can reactivate them later.
        </p>
      ),
      confirmLabel: 'Deactivate',
      danger: true,
      onConfirm: async () => {
        await client.deactivateMember({ organization: org, user: key });
        feedback.done(`${label} was deactivated.`);
        await invalidate(org);
      },
    });
  const askRevoke = () =>
    confirm({
      title: `Revoke the invitation to ${label}?`,
      description: <p>The link in the invitation email stops working. The seat it held is freed.</p>,
      confirmLabel: 'Revoke invitation',
      danger: true,
      onConfirm: async () => {
        await client.revokeInvitation({ id: member.invitation?.id ?? '' });
        feedback.done(`Invitation to ${label} revoked.`);
        await invalidate(org);
      },
    });
  const anything = pending ? mayInvite : mayManage;
  if (!anything) {
    return (
      <Button
        variant="ghost"
        size="icon"
        disabled
        disabledReason={pending ? NO_INVITE : NO_MANAGE}
        aria-label={`Actions for ${label}`}
      >
        <span aria-hidden="true">⋯</span>
      </Button>
    );
  }
  return (
    <Menu>
      <MenuTrigger asChild>
        <Button variant="ghost" size="icon" aria-label={`Actions for ${label}`}>
          <span aria-hidden="true">⋯</span>
        </Button>
      </MenuTrigger>
      <MenuContent>
        {pending ? (
          <>
            <MenuItem
              onSelect={() =>
                void run(
                  `resend the invitation to ${label}`,
                  () => client.resendInvitation({ id: member.invitation?.id ?? '' }),
                  `Invitation to ${label} sent again.`,
                )
              }
            >
              Resend invitation
            </MenuItem>
            <MenuItem danger onSelect={askRevoke}>
              Revoke invitation
            </MenuItem>
          </>
        ) : (
          <>
            {member.status === 'ACTIVE' ? (
              <MenuItem disabled={isSelf} onSelect={askDeactivate}>
                Deactivate user
              </MenuItem>
            ) : (
              <MenuItem
                onSelect={() =>
                  void run(
                    `reactivate ${label}`,
                    () => client.reactivateMember({ organization: org, user: key }),
                    `${label} is active again.`,
                  )
                }
              >
                Reactivate user
              </MenuItem>
            )}
            <MenuItem danger disabled={isSelf} onSelect={askRemove}>
              Remove user
            </MenuItem>
          </>
        )}
      </MenuContent>
    </Menu>
  );
}
