import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useClient } from '../../lib/client';
import { keys, useInvalidateOrg, type Organization } from '../../lib/queries';
import { roleLabel } from '../../lib/format';
import { Button, Dialog, ErrorMessage, Select } from '../../components/ui';
import { ORG_ROLES, SEAT_ROLES, type OrgRoleName } from './types';

/** Why seat-using roles are greyed out, or null when a seat is free. */
export function noSeatReason(org: Organization): string | null {
  const { available, limit, used } = org.seats;
  if (available === null || available > 0) return null;
  return `No seats left (${used} of ${limit} used)`;
}

/** Add user: email, role (Member preselected; seat-using roles greyed out without a free seat), optional teams. */
export function AddUserDialog({
  org,
  open,
  onOpenChange,
}: {
  org: Organization;
  open: boolean;
  onOpenChange: (o: boolean) => void;
}) {
  const client = useClient();
  const invalidate = useInvalidateOrg();
  const seatReason = noSeatReason(org);
  const defaultRole: OrgRoleName = seatReason ? 'VIEWER' : 'MEMBER';
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<OrgRoleName>(defaultRole);
  const [teams, setTeams] = useState<string[]>([]);
  const [sendEmail, setSendEmail] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<{ email: string; acceptUrl: string | null } | null>(null);
  const teamList = useQuery({
    queryKey: keys.orgPart(org.name, 'teams-filter'),
    queryFn: () => client.teams({ organization: org.name, first: 100 }),
    enabled: open,
  });
  const reset = () => {
    setEmail('');
    setRole(defaultRole);
    setTeams([]);
    setSendEmail(true);
    setError(null);
    setDone(null);
  };
  const close = (o: boolean) => {
    if (!o) reset();
    onOpenChange(o);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await client.inviteUser({
        organization: org.name,
        email,
        role,
        sendEmail,
        ...(teams.length ? { teams: teams.map((team) => ({ team })) } : {}),
      });
      setDone({ email: res.invitation.email, acceptUrl: res.acceptUrl ?? null });
      await invalidate(org.name);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onOpenChange={close} title="Add user" testId="add-user-dialog">
      {done ? (
        <div className="stack">
          <p role="status">
            Invitation created for <strong>{done.email}</strong>.{' '}
            {done.acceptUrl ? 'Send them this link (shown once):' : 'They will receive an email with a link to join.'}
          </p>
          {done.acceptUrl ? <output className="secret">{done.acceptUrl}</output> : null}
          <div className="dialog-actions">
            <Button onClick={reset}>Add another</Button>
            <Button variant="primary" onClick={() => close(false)}>
              Done
            </Button>
          </div>
        </div>
      ) : (
        <form className="stack" onSubmit={submit}>
          <div className="field">
            <label htmlFor="invite-email">Email</label>
            <input
              id="invite-email"
              type="email"
              required
              autoComplete="off"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="invite-role">Role</label>
            <Select
              id="invite-role"
              value={role}
              onValueChange={(v) => setRole(v as OrgRoleName)}
              options={ORG_ROLES.map((r) => ({
                value: r,
                label: roleLabel(r),
                disabledReason: SEAT_ROLES.has(r) ? seatReason : null,
              }))}
            />
            {seatReason ? (
              <span className="hint" data-testid="seat-reason">
                {seatReason}: Admin and Member take a seat; Viewer does not.
              </span>
            ) : null}
          </div>
          {teamList.data && teamList.data.nodes.length > 0 ? (
            <fieldset className="field" style={{ border: 0, padding: 0, margin: 0 }}>
              <legend style={{ fontWeight: 500, marginBottom: '0.25rem' }}>Teams (optional)</legend>
              <div className="row">
                {teamList.data.nodes.map((t) => (
                  <label key={t.id} className="check">
                    <input
                      type="checkbox"
                      checked={teams.includes(t.name)}
                      onChange={(e) =>
                        setTeams(e.target.checked ? [...teams, t.name] : teams.filter((n) => n !== t.name))
                      }
                    />
                    {t.name}
                  </label>
                ))}
              </div>
            </fieldset>
          ) : null}
          <label className="check">
            <input type="checkbox" checked={sendEmail} onChange={(e) => setSendEmail(e.target.checked)} />
            Send the invitation by email (otherwise you get the link to pass on)
          </label>
          <ErrorMessage error={error} />
          <div className="dialog-actions">
            <Button onClick={() => close(false)}>Cancel</Button>
            <Button type="submit" variant="primary" busy={busy}>
              Add new user
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
